// Bundles the extension (Node, CommonJS), the webview scripts and the Pyodide
// worker (browser, ES modules), and copies Pyodide's runtime files into out/
// so the .vsix works offline. `--production` minifies; `--watch` rebuilds.
import * as esbuild from "esbuild";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";

const production = process.argv.includes("--production");
const watch = process.argv.includes("--watch");
const require = createRequire(import.meta.url);
const pyodideDir = dirname(require.resolve("pyodide/package.json"));
const PYODIDE_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json", "package.json"];

rmSync("out", { recursive: true, force: true });
mkdirSync("out/pyodide", { recursive: true });
for (const name of PYODIDE_FILES) {
  copyFileSync(join(pyodideDir, name), join("out/pyodide", name));
}
// The panel's worker fetches the interpreter compressed (src/lib/wasmFetch.ts); the .vsix ships only this copy.
writeFileSync("out/pyodide/pyodide.asm.wasm.gz", gzipSync(readFileSync(join(pyodideDir, "pyodide.asm.wasm"))));
// Each file's SHA-256: the key a shipped one is kept under in a web page's cache (src/lib/pageCache.ts).
const digests = Object.fromEntries(
  readdirSync("out/pyodide").map((name) => [name, createHash("sha256").update(readFileSync(join("out/pyodide", name))).digest("hex")]),
);
writeFileSync("out/pyodide/digests.json", JSON.stringify(digests, null, 1));

const common = { bundle: true, minify: production, sourcemap: production ? false : "linked", logLevel: "warning", target: "es2022" };
const pyodideVersion = JSON.parse(readFileSync(join(pyodideDir, "package.json"), "utf8")).version;
const builds = [
  {
    ...common,
    entryPoints: ["src/extension.ts"],
    outfile: "out/extension.js",
    platform: "node",
    format: "cjs",
    external: ["vscode"],
    target: "node18",
    define: { PYODIDE_VERSION: JSON.stringify(pyodideVersion) },
  },
  { ...common, entryPoints: ["src/webview/practice.ts"], outfile: "out/webview/practice.js", platform: "browser", format: "iife" },
  { ...common, entryPoints: ["src/webview/dashboard.ts"], outfile: "out/webview/dashboard.js", platform: "browser", format: "iife" },
  { ...common, entryPoints: ["src/webview/worker.ts"], outfile: "out/webview/worker.js", platform: "browser", format: "esm", sourcemap: false },
  { ...common, entryPoints: ["src/webview/testkit.ts"], outfile: "out/testkit/testkit.mjs", platform: "browser", format: "esm" },
];

if (watch) {
  for (const options of builds) {
    const context = await esbuild.context(options);
    await context.watch();
  }
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
