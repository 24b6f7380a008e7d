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

/** Bundle worker.ts into `scratch`; resolves with a `createWorker` for PyodideRuntime. */
export async function threadWorkers(scratch) {
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
  writeFileSync(
    join(scratch, "thread.mjs"),
    `import { parentPort } from "node:worker_threads";
globalThis.self = globalThis;
globalThis.postMessage = (message, transfer) => parentPort.postMessage(message, transfer);
await import(${JSON.stringify(pathToFileURL(join(scratch, "worker.mjs")).href)});
parentPort.on("message", (data) => globalThis.onmessage?.({ data }));
`,
  );
  return function createWorker() {
    const thread = new Worker(join(scratch, "thread.mjs"));
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
