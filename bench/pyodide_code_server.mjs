// Benchmark of Pyodide's start in a real VS Code (code-server) with the
// platform .vsix and "pytrix.runtime": "pyodide": runs
// tests/extension/e2e_pyodide_start.mjs and prints its figures against goals.
//
//   first run after installing (Python booted, no snapshot yet)   goal <= 4 s
//   a later window (the kept interpreter snapshot restored)       goal <= 1 s
//
// Each figure is the learner's wait for the first Pyodide result from when
// Pyodide is needed: the practice panel opening (it opens with the practice
// file), or the server's first pytrix/runTests when that comes later (the
// panel's start overlaps the language server's). The details give the raw
// times: from the request, from the panel opening, and where the load went.
//
// Usage: node bench/pyodide_code_server.mjs [PATH.vsix]  (default: build it with scripts/package.mjs)

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchTools } from "../tests/extension/code_server_kit.mjs";
import { HERE, REPO } from "../tests/extension/support.mjs";
import { report } from "./figures.mjs";

const { vsix, codeServer } = benchTools(process.argv[2]);

const reportPath = join(mkdtempSync(join(tmpdir(), "pytrix-pyodide-bench-")), "report.json");
const run = spawnSync(process.execPath, [join(HERE, "e2e_pyodide_start.mjs"), vsix, codeServer, reportPath], {
  cwd: REPO, stdio: ["ignore", "inherit", "inherit"],
});
const result = JSON.parse(readFileSync(reportPath, "utf8"));
const windows = Object.fromEntries(result.windows.map((w) => [w.name, w]));
const detail = (w) =>
  w ? `${w.path}; ${w.requestToResultMs} ms from the request, ${w.panelToResultMs} ms from the panel opening; ${w.ready.replace(/^Pyodide ready in /, "ready in ")}` : "not measured";

console.log("");
console.log("Pyodide in code-server (the practice panel's first result):");
const first = result.figures.firstRunMs;
const later = result.figures.laterWindowMs;
if (first !== undefined) {
  report("pyodide_code_server", "first run after installing", first / 1000, 4, " s", { detail: detail(windows["1-first-run-fresh-boot"]) });
}
if (later !== undefined) {
  report("pyodide_code_server", "later window (kept snapshot)", later / 1000, 1, " s", { detail: detail(windows["2-later-window-restored"]) });
}
process.exit(run.status ?? 1);
