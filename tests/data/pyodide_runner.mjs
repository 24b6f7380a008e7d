// Run harness requests in Pyodide under Node: stdin {"harness", "requests": [...]} -> stdout [events...].
// Used by test_rule_runtimes.py to show the harness behaves in Pyodide as in the sandbox.
import { readFileSync } from "node:fs";

const pyodideDir = process.argv[2];
const { loadPyodide } = await import(`${pyodideDir}/pyodide.mjs`);
const input = JSON.parse(readFileSync(0, "utf8"));
const pyodide = await loadPyodide({ indexURL: pyodideDir });
pyodide.FS.writeFile("/home/pyodide/pytrix_harness.py", input.harness);
pyodide.runPython("import sys; sys.path.insert(0, '/home/pyodide'); import pytrix_harness");
const results = [];
for (const request of input.requests) {
  pyodide.globals.set("REQUEST", JSON.stringify(request));
  results.push(JSON.parse(pyodide.runPython("pytrix_harness.run_request(REQUEST)")));
}
process.stdout.write(JSON.stringify(results));
