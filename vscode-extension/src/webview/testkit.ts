/**
 * What the browser tests and the benchmark load into a plain page: the same
 * runtime the practice panel uses, plus a helper that starts the worker
 * from a blob URL exactly as the webview does.
 */

export { PyodideRuntime } from "../lib/pyodideRuntime";
export type { RuntimeStatus, WorkerLike } from "../lib/pyodideRuntime";
export { blobWorkerFactory } from "./workerFactory";
