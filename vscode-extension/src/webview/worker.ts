/**
 * The Pyodide module worker: loads Pyodide from the files shipped with the
 * extension (no network), loads the harness sent by the server, and runs
 * harness requests, streaming each event to the page as the harness emits it.
 *
 * It is started from a blob URL (`new Worker(blobUrl, {type: "module"})`), so
 * every URL it uses arrives in the init message. See workerProtocol.ts for the
 * messages and the shared control block.
 */

import { whereEvent } from "../lib/whereEvent";
import { ABORT_SLOT, INTERRUPT_SLOT, type FromWorker, type ToWorker } from "../lib/workerProtocol";

interface PyProxyCallable {
  (...args: unknown[]): unknown;
  destroy?: () => void;
}

interface PyodideLike {
  runPython(code: string, options?: { globals?: unknown }): unknown;
  makeMemorySnapshot(): Uint8Array;
  setInterruptBuffer(buffer: Int32Array): void;
  globals: { get(name: string): unknown };
  toPy(value: unknown): unknown;
}

interface PyodideModule {
  loadPyodide(options: {
    indexURL: string;
    stdout?: (text: string) => void;
    stderr?: (text: string) => void;
    _makeSnapshot?: boolean;
    _loadSnapshot?: ArrayBuffer;
  }): Promise<PyodideLike>;
}

const scope = self as unknown as {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
};

let pyodide: PyodideLike | null = null;
let control: Int32Array | null = null;
let abortFlag: Int32Array | null = null;
let harnessSource: string | null = null;
let stream: PyProxyCallable | null = null;

const RUNNER = `
import json as _json, sys as _sys

def _pytrix_stream(request_json, post):
    saved = _sys.stdin, _sys.stdout, _sys.stderr
    try:
        execute(_json.loads(request_json), lambda event: post(_json.dumps(event)))
    finally:
        _sys.stdin, _sys.stdout, _sys.stderr = saved
`;

function post(message: FromWorker): void {
  scope.postMessage(message);
}

async function init(message: Extract<ToWorker, { type: "init" }>): Promise<void> {
  const started = performance.now();
  const { indexURL, control: shared } = message;
  try {
    const module = (await import(/* @vite-ignore */ `${indexURL}pyodide.mjs`)) as PyodideModule;
    const base = {
      indexURL,
      stdout: (text: string) => post({ type: "log", text }),
      stderr: (text: string) => post({ type: "log", text }),
    };
    let fromSnapshot = false;
    let makeSnapshot = message.makeSnapshot;
    if (message.snapshot) {
      try {
        pyodide = await module.loadPyodide({ ...base, _loadSnapshot: message.snapshot });
        fromSnapshot = true;
      } catch (error) {
        post({ type: "log", text: `could not restore the interpreter snapshot (${String(error)}); starting afresh` });
        pyodide = null;
        makeSnapshot = true;
      }
    }
    if (pyodide === null) {
      pyodide = await module.loadPyodide({ ...base, _makeSnapshot: makeSnapshot });
    }
    // Before anything else touches the interpreter, so it is a clean start.
    const snapshot = makeSnapshot && !fromSnapshot ? pyodide.makeMemorySnapshot() : null;
    if (shared) {
      control = new Int32Array(shared, INTERRUPT_SLOT * 4, 1);
      abortFlag = new Int32Array(shared, ABORT_SLOT * 4, 1);
      // A worker terminated mid-interrupt may have left a signal behind.
      Atomics.store(control, 0, 0);
      Atomics.store(abortFlag, 0, 0);
      pyodide.setInterruptBuffer(control);
    }
    const python = String(pyodide.runPython("import sys\nsys.version.split()[0]"));
    const ready: FromWorker = { type: "ready", python, loadMs: performance.now() - started, fromSnapshot };
    if (snapshot) {
      const buffer = snapshot.buffer.slice(snapshot.byteOffset, snapshot.byteOffset + snapshot.byteLength) as ArrayBuffer;
      ready.snapshot = buffer;
      (self as unknown as { postMessage(m: unknown, t: Transferable[]): void }).postMessage(ready, [buffer]);
    } else {
      post(ready);
    }
  } catch (error) {
    post({ type: "loadFailed", message: error instanceof Error ? error.message : String(error) });
  }
}

function loadHarness(source: string): PyProxyCallable {
  if (pyodide === null) {
    throw new Error("Pyodide is not loaded");
  }
  if (stream !== null && harnessSource === source) {
    return stream;
  }
  stream?.destroy?.();
  // Its own namespace, named so the harness's `if __name__ == "__main__"` stays off.
  const namespace = pyodide.runPython("{'__name__': 'pytrix_harness'}");
  pyodide.runPython(source, { globals: namespace });
  pyodide.runPython(RUNNER, { globals: namespace });
  stream = (namespace as { get(name: string): PyProxyCallable }).get("_pytrix_stream");
  harnessSource = source;
  return stream;
}

function run(id: number, harness: string, request: unknown): void {
  const aborted = (): boolean => abortFlag !== null && Atomics.load(abortFlag, 0) === 1;
  try {
    const runner = loadHarness(harness);
    runner(JSON.stringify(request), (text: string) => {
      if (aborted()) {
        // An interrupted test still says which line it was running.
        const where = whereEvent(text);
        if (where !== null) post({ type: "event", id, event: where });
        throw new Error("pytrix: run stopped");
      }
      post({ type: "event", id, event: text });
    });
    post({ type: "done", id });
  } catch (error) {
    if (aborted()) {
      post({ type: "stopped", id });
    } else {
      post({ type: "failed", id, message: error instanceof Error ? error.message.slice(-2000) : String(error) });
    }
  } finally {
    if (control !== null) {
      Atomics.store(control, 0, 0);
    }
  }
}

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === "init") {
    void init(message);
  } else if (message.type === "run") {
    run(message.id, message.harness, message.request);
  }
};
