// Benchmark of a new user's install of the VS Code extension: the platform
// .vsix alone, in code-server from a clean HOME, with the system's python3.
// Runs tests/extension/e2e_fresh_install.mjs and prints its figures against
// goals, with a baseline measured in the same run: the bundled server's own
// start (`python3 -I bundled/tool/pytrix_launch.py --probe`, which imports
// Pytrix from the bundle) and a bare `python3 -c pass`. Each figure is printed
// with its goal and meets/misses through bench/figures.mjs's report().
//
//   first activation -> first diagnostics   goal <= 60 s on 2 cores
//   later start      -> first diagnostics   goal <= 3 s
//
// Usage: node bench/install.mjs [PATH.vsix]  (default: build it with scripts/package.mjs)

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchTools } from "../tests/extension/code_server_kit.mjs";
import { EXTENSION, HERE, REPO } from "../tests/extension/support.mjs";
import { report } from "./figures.mjs";

const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

const { vsix, codeServer, must } = benchTools(process.argv[2]);

function timed(args) {
  const runs = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    must(spawnSync("/usr/bin/python3", args, { encoding: "utf8", env: { PATH: "/usr/bin:/bin", HOME: mkdtempSync(join(tmpdir(), "pytrix-bench-")) } }), `python3 ${args.join(" ")}`);
    runs.push(performance.now() - start);
  }
  return runs.sort((a, b) => a - b)[2];
}
const launcher = join(EXTENSION, "bundled", "tool", "pytrix_launch.py");
const bare = timed(["-c", "pass"]);
const probe = existsSync(launcher) ? timed(["-I", launcher, "--probe"]) : NaN;

const reportPath = join(mkdtempSync(join(tmpdir(), "pytrix-install-bench-")), "report.json");
const run = spawnSync(process.execPath, [join(HERE, "e2e_fresh_install.mjs"), vsix, codeServer, reportPath], {
  cwd: REPO, stdio: ["ignore", "inherit", "inherit"],
});
const result = JSON.parse(readFileSync(reportPath, "utf8"));
const { firstActivationToDiagnosticsMs: first, laterStartToDiagnosticsMs: later } = result.figures;
console.log("");
console.log(`baseline: python3 -c pass ${fmt(bare)}; the bundled server's import (--probe) ${fmt(probe)} (${(probe / bare).toFixed(1)}x)`);
report("install", "first activation -> first diagnostics", first / 1000, 60, " s", { detail: `${(first / probe).toFixed(1)}x the import` });
report("install", "later start -> first diagnostics", later / 1000, 3, " s", { detail: `${(later / probe).toFixed(1)}x the import` });
process.exit(run.status ?? 1);
