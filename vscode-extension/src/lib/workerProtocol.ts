/**
 * Messages between the page (webview or test page) and the Pyodide module worker.
 *
 * The shared control block, when the page is cross-origin isolated, is one
 * SharedArrayBuffer of two Int32 slots: slot 0 is Pyodide's interrupt buffer
 * (2 = SIGINT, raising KeyboardInterrupt at the next bytecode check) and
 * slot 1 is the abort flag the worker checks before reporting each event, so
 * an interrupted run stops instead of going on with the next test.
 */

export const INTERRUPT_SLOT = 0;
export const ABORT_SLOT = 1;
export const SIGINT = 2;

export type ToWorker =
  | {
      type: "init";
      indexURL: string;
      control: SharedArrayBuffer | null;
      /** A memory snapshot of a freshly started interpreter: restoring it skips Python's start-up. */
      snapshot: ArrayBuffer | null;
      /** Take such a snapshot after loading and send it back with "ready". */
      makeSnapshot: boolean;
    }
  | { type: "run"; id: number; harness: string; request: unknown };

export type FromWorker =
  | { type: "ready"; python: string; loadMs: number; fromSnapshot: boolean; snapshot?: ArrayBuffer }
  | { type: "loadFailed"; message: string }
  | { type: "event"; id: number; event: string }
  | { type: "done"; id: number }
  | { type: "stopped"; id: number }
  | { type: "failed"; id: number; message: string }
  | { type: "log"; text: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** Validate a message from the worker; `null` for anything unexpected. */
export function parseFromWorker(data: unknown): FromWorker | null {
  if (!isRecord(data) || typeof data.type !== "string") {
    return null;
  }
  const id = typeof data.id === "number" ? data.id : undefined;
  switch (data.type) {
    case "ready": {
      if (typeof data.python !== "string" || typeof data.loadMs !== "number") return null;
      const ready: FromWorker = { type: "ready", python: data.python, loadMs: data.loadMs, fromSnapshot: data.fromSnapshot === true };
      if (data.snapshot instanceof ArrayBuffer) ready.snapshot = data.snapshot;
      return ready;
    }
    case "loadFailed":
      return { type: "loadFailed", message: String(data.message ?? "unknown error") };
    case "event":
      return id !== undefined && typeof data.event === "string" ? { type: "event", id, event: data.event } : null;
    case "done":
    case "stopped":
      return id !== undefined ? { type: data.type, id } : null;
    case "failed":
      return id !== undefined ? { type: "failed", id, message: String(data.message ?? "unknown error") } : null;
    case "log":
      return typeof data.text === "string" ? { type: "log", text: data.text } : null;
    default:
      return null;
  }
}
