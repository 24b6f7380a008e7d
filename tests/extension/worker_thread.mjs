// The extension's Pyodide worker (src/webview/worker.ts) in a Node
// worker_threads worker, behind the web Worker interface PyodideRuntime
// expects: bundled from source with esbuild into a scratch folder, with a
// small shim so its `self` messages go through parentPort. Used by the bank's
// Pyodide run (bank_pyodide.mjs) and the extension's snapshot tests.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { EXTENSION, require } from "./support.mjs";

/**
 * Bundle worker.ts into `scratch`; resolves with a `createWorker` for PyodideRuntime.
 * With `cacheDir`, each thread also has a Cache Storage kept in that folder (one file an
 * entry, shared by every thread), standing in for a web page origin's `caches`.
 */
export async function threadWorkers(scratch, { cacheDir } = {}) {
  await require("esbuild").build({
    entryPoints: [join(EXTENSION, "src", "webview", "worker.ts")],
    outfile: join(scratch, "worker.mjs"),
    bundle: true,
    format: "esm",
    platform: "neutral",
    logLevel: "warning",
  });
  // worker.ts talks to `self` as a web worker does; in a worker thread, `self`
  // is the thread's global and its messages go through parentPort.
  const shim = cacheDir ? "thread-cache.mjs" : "thread.mjs";
  writeFileSync(
    join(scratch, shim),
    `import { parentPort } from "node:worker_threads";
${cacheDir ? fileCaches(cacheDir) : ""}
globalThis.self = globalThis;
globalThis.postMessage = (message, transfer) => parentPort.postMessage(message, transfer);
await import(${JSON.stringify(pathToFileURL(join(scratch, "worker.mjs")).href)});
parentPort.on("message", (data) => globalThis.onmessage?.({ data }));
`,
  );
  return function createWorker() {
    const thread = new Worker(join(scratch, shim));
    const like = {
      onmessage: null,
      onerror: null,
      postMessage: (message) => thread.postMessage(message),
      terminate: () => void thread.terminate(),
    };
    thread.on("message", (data) => like.onmessage?.({ data }));
    thread.on("error", (error) => like.onerror?.(error));
    return like;
  };
}

/** Source of a Cache Storage kept in `dir` (an entry's bytes in `<sha of its URL>`, its URL beside). */
function fileCaches(dir) {
  return `import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
globalThis.caches = {
  async open(name) {
    const folder = join(${JSON.stringify(dir)}, encodeURIComponent(name));
    mkdirSync(folder, { recursive: true });
    const file = (url) => join(folder, createHash("sha256").update(url).digest("hex"));
    return {
      async match(url) {
        try { return new Response(readFileSync(file(url))); } catch { return undefined; }
      },
      async put(url, response) {
        writeFileSync(file(url), Buffer.from(await response.arrayBuffer()));
        writeFileSync(file(url) + ".url", url);
      },
      async keys() {
        return readdirSync(folder).filter((n) => n.endsWith(".url")).map((n) => ({ url: readFileSync(join(folder, n), "utf8") }));
      },
      async delete(url) {
        rmSync(file(url), { force: true });
        rmSync(file(url) + ".url", { force: true });
        return true;
      },
    };
  },
};`;
}
