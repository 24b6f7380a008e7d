// Build the platform .vsix: the server and its libraries for the target
// (scripts/bundle_server.py -> bundled/libs), the production bundles and
// Pyodide (esbuild.mjs), then `vsce package --target`. Prints the size.
//
// Usage: node scripts/package.mjs [--target linux-x64|linux-arm64|darwin-arm64|darwin-x64|win32-x64] [--out FILE]
// PYTHON picks the interpreter that runs pip (default: python3).
// PYTRIX_VSIX_REUSE (tests only, with PYTRIX_BUNDLE_REUSE): a folder of kept
// .vsix files, each named by a hash of every file `vsce ls` would pack (path
// and bytes), the target and vsce's version. When one matches, its type check
// (the prepublish step) runs and the kept .vsix is copied: the same files,
// already packed and secret-scanned by vsce (the scan is 20 of vsce's 28 s).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
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
const VSCE = join("node_modules", "@vscode", "vsce", "vsce");

/** The name of a kept .vsix: a hash of the target, vsce's version and every file it would pack. */
function vsixKey() {
  const listed = spawnSync(process.execPath, [VSCE, "ls", "--no-dependencies"], { cwd: EXTENSION, encoding: "utf8", maxBuffer: 64 << 20 });
  if (listed.status !== 0) return null;
  const vsceVersion = JSON.parse(readFileSync(join(EXTENSION, "node_modules", "@vscode", "vsce", "package.json"), "utf8")).version;
  const hash = createHash("sha256").update(`${target}\0${vsceVersion}\0`);
  for (const file of listed.stdout.split("\n").filter(Boolean).sort()) {
    hash.update(`${file}\0`).update(readFileSync(join(EXTENSION, file))).update("\0");
  }
  return `${target}-${hash.digest("hex").slice(0, 32)}.vsix`;
}

const reuse = process.env.PYTRIX_VSIX_REUSE;
const key = reuse ? vsixKey() : null;
if (key && statSync(join(reuse, key), { throwIfNoEntry: false })?.isFile()) {
  run("the type check (vsce's prepublish step)", process.execPath, [join("scripts", "generate_types.mjs"), "--check"]);
  copyFileSync(join(reuse, key), out);
  console.log(`[package] reused the kept ${join(reuse, key)} (the same files): no vsce run`);
} else {
  run(`vsce package --target ${target}`, process.execPath, [
    VSCE, "package", "--no-dependencies", "--allow-missing-repository", "--target", target, "-o", out,
  ]);
  if (key) {
    // Keep it (by a rename, so a reader never sees half a file) and only the three newest.
    mkdirSync(reuse, { recursive: true });
    const staging = join(reuse, `.${key}.${process.pid}`);
    copyFileSync(out, staging);
    renameSync(staging, join(reuse, key));
    const kept = readdirSync(reuse).filter((name) => name.endsWith(".vsix") && !name.startsWith("."));
    kept.sort((a, b) => statSync(join(reuse, b)).mtimeMs - statSync(join(reuse, a)).mtimeMs);
    for (const name of kept.slice(3)) rmSync(join(reuse, name), { force: true });
  }
}
const size = statSync(out).size / (1024 * 1024);
console.log(`${out}: ${size.toFixed(2)} MB (goal: 25 MB or less)`);
