// Run every bank question's own solutions in Pyodide, in Node, the way the
// VS Code extension runs a learner's tests, and record the raw answers.
//
// - The requests are built by the server's code (bank_cases.py: build_request
//   and the harness source), one per reference solution and per distinct
//   optimal solution.
// - They run through the extension's own code: src/webview/worker.ts (the
//   harness in its own namespace, `pytrix_harness`) in a worker_threads
//   worker, driven by src/lib/pyodideRuntime.ts, which enforces the time
//   limits with SharedArrayBuffer interrupts (and terminates and restarts a
//   worker that ignores them). Both are bundled from source with esbuild, so
//   this needs no prior `npm run build`; Pyodide loads offline from
//   node_modules/pyodide.
// - Each answer is written in the wire shape (toWireResult): events, and
//   timedOut / crashed as lists of {index, seconds|message} records.
//
// Usage: node tests/extension/bank_pyodide.mjs OUT.json [QUESTION_ID ...]
// Writes {"python", "loadMs", "totalMs", "answers": [{id, label, code, wallMs, answer}]}.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { EXTENSION, HERE, python, require } from "./support.mjs";
import { threadWorkers } from "./worker_thread.mjs";

const [out, ...only] = process.argv.slice(2);
if (!out) {
  console.error("usage: node tests/extension/bank_pyodide.mjs OUT.json [QUESTION_ID ...]");
  process.exit(2);
}

const started = performance.now();
const proc = spawnSync(python(), [join(HERE, "bank_cases.py"), ...(only.length ? ["--only", ...only] : [])], {
  encoding: "utf8",
  maxBuffer: 512 * 1024 * 1024,
});
if (proc.status !== 0) {
  throw new Error(`bank_cases.py failed: ${proc.stderr}`);
}
const bank = JSON.parse(proc.stdout);

// The extension's worker and runtime, bundled from source into a scratch folder.
const scratch = mkdtempSync(join(tmpdir(), "pytrix-bank-pyodide-"));
const esbuild = require("esbuild");
await esbuild.build({
  stdin: {
    contents:
      'export { PyodideRuntime } from "./src/lib/pyodideRuntime";\n' +
      'export { toWireResult } from "./src/lib/runTests";\n',
    resolveDir: EXTENSION,
    sourcefile: "bank-runtime.ts",
    loader: "ts",
  },
  outfile: join(scratch, "runtime.mjs"),
  bundle: true,
  format: "esm",
  platform: "neutral",
  logLevel: "warning",
});
const createWorker = await threadWorkers(scratch);
const { PyodideRuntime, toWireResult } = await import(pathToFileURL(join(scratch, "runtime.mjs")).href);

const pyodideDir = dirname(require.resolve("pyodide/package.json"));
const logs = [];
const runtime = new PyodideRuntime({
  createWorker,
  // A path, not a file: URL: Pyodide in Node reads its files by path (and
  // worker.ts's import of `${indexURL}pyodide.mjs` resolves an absolute path).
  indexURL: pyodideDir + "/",
  isolated: true, // Node has SharedArrayBuffer: interrupts, as in a cross-origin isolated webview
  graceMs: 500,
  snapshots: false,
  onLog: (text) => logs.push(text),
});

const report = { python: null, loadMs: null, answers: [] };
try {
  report.python = await runtime.start();
  report.loadMs = runtime.current.loadMs;
  for (const item of bank.cases) {
    const params = {
      request: item.request,
      harness: bank.harness,
      testTimeout: bank.testTimeout,
      runTimeout: bank.runTimeout,
    };
    const began = performance.now();
    let answer;
    try {
      answer = toWireResult(await runtime.run(params));
    } catch (error) {
      answer = { error: error instanceof Error ? error.message : String(error) };
    }
    report.answers.push({ id: item.id, label: item.label, code: item.code, wallMs: performance.now() - began, answer });
  }
} finally {
  runtime.dispose();
  rmSync(scratch, { recursive: true, force: true });
}
report.totalMs = performance.now() - started;
report.logs = logs.slice(-200);
writeFileSync(out, JSON.stringify(report));
console.log(
  `Pyodide ${report.python}: ${report.answers.length} runs of ${new Set(report.answers.map((a) => a.id)).size} questions ` +
    `in ${(report.totalMs / 1000).toFixed(1)} s (load ${(report.loadMs / 1000).toFixed(1)} s)`,
);
