// Build the platform .vsix: the server and its libraries for the target
// (scripts/bundle_server.py -> bundled/libs), the production bundles and
// Pyodide (esbuild.mjs), then `vsce package --target`. Prints the size.
//
// Usage: node scripts/package.mjs [--target linux-x64|linux-arm64|darwin-arm64|darwin-x64|win32-x64] [--out FILE]
// PYTHON picks the interpreter that runs pip (default: python3).
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const EXTENSION = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] ? args[at + 1] : fallback;
};
const target = option("--target", "linux-x64");
const out = resolve(EXTENSION, option("--out", `pytrix-${target}.vsix`));
const python = process.env.PYTHON || "python3";

function run(what, command, commandArgs) {
  console.log(`[package] ${what}`);
  const began = Date.now();
  const done = spawnSync(command, commandArgs, { cwd: EXTENSION, stdio: "inherit" });
  if (done.status !== 0) {
    console.error(`[package] ${what} failed (exit ${done.status ?? done.error})`);
    process.exit(1);
  }
  console.log(`[package] ${what}: ${((Date.now() - began) / 1000).toFixed(1)} s`);
}

run(`the server and its libraries for ${target}`, python, [join("scripts", "bundle_server.py"), "--target", target]);
run("the production bundles and Pyodide", process.execPath, ["esbuild.mjs", "--production"]);
run(`vsce package --target ${target}`, process.execPath, [
  join("node_modules", "@vscode", "vsce", "vsce"),
  "package", "--no-dependencies", "--allow-missing-repository", "--target", target, "-o", out,
]);
const size = statSync(out).size / (1024 * 1024);
console.log(`${out}: ${size.toFixed(2)} MB (goal: 25 MB or less)`);
