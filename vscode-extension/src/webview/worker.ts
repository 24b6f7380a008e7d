/**
 * The Pyodide module worker: loads Pyodide from the files shipped with the
 * extension (no network), loads the harness sent by the server, and runs
 * harness requests, streaming each event to the page as the harness emits it.
 *
 * It is started from a blob URL (`new Worker(blobUrl, {type: "module"})`), so
 * every URL it uses arrives in the init message.
 *
 * A freshly booted interpreter loads the harness given in "init" and is then
 * snapshotted (before any learner code runs), so a later session restores an
 * interpreter with the harness already loaded; a restored interpreter whose
 * harness differs from the one given is stale and is replaced by a fresh boot.
 * A kept snapshot the host offered before checking its checksum is restored
 * only once the host's verdict says it is good (lib/snapshotVerdict.ts); a
 * damaged one means a fresh boot. See workerProtocol.ts for the messages and
 * the shared control block.
 */

import { AheadFiles, fileName, normalUrl } from "../lib/fetchAhead";
import { browserCaches, PageCache, snapshotKey, webDigest } from "../lib/pageCache";
import { DamagedSnapshot, SnapshotVerdict } from "../lib/snapshotVerdict";
import { compressedFirst } from "../lib/wasmFetch";
import { whereEvent } from "../lib/whereEvent";
import { ABORT_SLOT, INTERRUPT_SLOT, type FromWorker, type StartPath, type ToWorker } from "../lib/workerProtocol";

interface PyProxyCallable {
  (...args: unknown[]): unknown;
  destroy?: () => void;
}

interface PyodideLike {
  runPython(code: string, options?: { globals?: unknown }): unknown;
  makeMemorySnapshot(): Uint8Array;
  setInterruptBuffer(buffer: Int32Array): void;
  globals: { get(name: string): unknown; set(name: string, value: unknown): void };
  toPy(value: unknown): unknown;
}

interface PyodideModule {
  loadPyodide(options: {
    indexURL: string;
    stdout?: (text: string) => void;
    stderr?: (text: string) => void;
    _makeSnapshot?: boolean;
    _loadSnapshot?: ArrayBuffer | Promise<ArrayBuffer>;
    /** Pyodide's own module (pyodide.asm.mjs), when the page fetched it ahead. */
    createPyodideModule?: Promise<unknown>;
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

/** Files the page fetched ahead for this worker (lib/fetchAhead.ts). */
const ahead = new AheadFiles();
/** The page origin's cache of Pyodide's files and the snapshot (lib/pageCache.ts), when "init" names their keys. */
let pageCache: PageCache | null = null;
/** Bytes this worker used for files with a key that were not in the page's cache: kept there after the first run. */
const toKeep = new Map<string, { url: string; data: Promise<ArrayBuffer | null> }>();
/** The host's verdict on the kept snapshot's checksum, when "init" says one follows. */
const verdict = new SnapshotVerdict();

// Pyodide fetches its files with the global fetch: answer them from the page's bytes when it fetched
// them ahead, and take the interpreter's gzip-compressed copy when there is one.
const aheadFetch = ahead.wrap(globalThis.fetch.bind(globalThis), (url) =>
  post({ type: "log", text: `the page could not fetch ${fileName(url)} ahead: the worker fetches it` }),
);
/** `fetch` for Pyodide's files: from the page's cache when it has them, else as before (and kept afterwards). */
async function cachedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const url = normalUrl(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
  const key = pageCache?.keyFor(url);
  if (pageCache === null || key === undefined || !key.startsWith("pyodide/")) return aheadFetch(input, init);
  const cached = await pageCache.lookup(url);
  if (cached) {
    void ahead.take(url); // bytes the host posted all the same are dropped
    return new Response(cached, { status: 200 });
  }
  const response = await aheadFetch(input, init);
  if (response.ok) toKeep.set(key, { url, data: response.clone().arrayBuffer().catch(() => null) });
  return response;
}
globalThis.fetch = compressedFirst(cachedFetch, (url) => post({ type: "log", text: `no compressed copy of ${url}: fetching it whole` }));

/** Import a module, from the page's bytes when it fetched them ahead (a blob URL), else from its URL. */
async function importModule(url: string): Promise<unknown> {
  const posted = ahead.take(url);
  let data = posted ? await posted : null;
  if (data === null && pageCache?.keyFor(normalUrl(url)) !== undefined) {
    // From the page's cache, else fetched (and then kept there).
    const response = await cachedFetch(url).catch(() => null);
    data = response?.ok ? await response.arrayBuffer() : null;
  } else if (data !== null) {
    const key = pageCache?.keyFor(normalUrl(url));
    if (key !== undefined) toKeep.set(key, { url, data: Promise.resolve(data.slice(0)) });
  }
  if (data) {
    const blobUrl = URL.createObjectURL(new Blob([data], { type: "text/javascript" }));
    try {
      return await import(/* @vite-ignore */ blobUrl);
    } catch (error) {
      post({ type: "log", text: `could not import the page's copy of ${fileName(url)} (${String(error)}): importing it from its URL` });
    } finally {
      URL.revokeObjectURL(blobUrl);
    }
  }
  return import(/* @vite-ignore */ url);
}

/** With no run asked for, the start's files are kept in the page's cache after this long. */
const KEEP_AFTER_MS = 2000;

/** Names in `__main__` under which a baked-in harness survives a memory snapshot. */
const BAKED_NAMESPACE = "_pytrix_harness_namespace";
const BAKED_SOURCE = "_pytrix_harness_source";

/**
 * A kept snapshot: from the page's cache (kept there decompressed), else fetched
 * (gzip-compressed) and decompressed as it arrives, and then kept in the cache.
 */
async function fetchSnapshot(url: string): Promise<ArrayBuffer> {
  const cached = await pageCache?.lookup(normalUrl(url));
  if (cached) {
    void ahead.take(url); // bytes the host posted all the same are dropped
    return cached;
  }
  const response = await aheadFetch(url);
  if (!response.ok || response.body === null) {
    throw new Error(`fetching it failed (${response.status} ${response.statusText})`);
  }
  const data = await new Response(response.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
  const key = pageCache?.keyFor(normalUrl(url));
  if (key !== undefined) {
    // The key names the bytes the host offered: others (another window kept a new one meanwhile) are not restored.
    if (snapshotKey(await webDigest(data)) !== key) throw new Error("its bytes are not the ones the host offered");
    toKeep.set(key, { url, data: Promise.resolve(data.slice(0)) });
  }
  return data;
}

/** Keep in the page's cache the keyed files this start used that it did not find there (after the first run). */
async function keepInPageCache(): Promise<void> {
  const cache = pageCache;
  if (cache === null || toKeep.size === 0) return;
  const entries: { key: string; data: ArrayBuffer; url: string }[] = [];
  for (const [key, file] of toKeep) {
    const data = await file.data;
    if (data !== null) entries.push({ key, data, url: file.url });
  }
  toKeep.clear();
  const keys = await cache.keep(entries, cache.currentKeys());
  const stored = entries.filter((entry) => keys.includes(entry.key));
  post({ type: "log", text: `kept in the page's cache: ${stored.map((e) => fileName(e.url)).join(", ") || "nothing"}` });
  post({ type: "cached", keys });
}

/** Resolved when the first run has finished (or a while after the start when none comes). */
let firstRunDone: () => void = () => undefined;
const firstRun = new Promise<void>((resolve) => (firstRunDone = resolve));

/** How long each file the worker fetched took (Resource Timing), for the start's log. */
function fetchTimes(): string {
  const entries = performance.getEntriesByType("resource") as PerformanceResourceTiming[];
  return entries
    .map((entry) => `${decodeURIComponent(entry.name.split("?")[0].split("/").pop() ?? "")} ${entry.duration.toFixed(0)} ms`)
    .join(", ");
}

function since(mark: number): number {
  return performance.now() - mark;
}

/** The harness a restored interpreter holds (from the snapshot), or null. */
function bakedHarness(py: PyodideLike): string | null {
  const source = py.globals.get(BAKED_SOURCE);
  return typeof source === "string" ? source : null;
}

/** Take up the harness baked into a restored interpreter, so runs with the same source skip loading it. */
function adoptBakedHarness(py: PyodideLike, source: string): void {
  const namespace = py.globals.get(BAKED_NAMESPACE) as { get(name: string): PyProxyCallable } | undefined;
  const runner = namespace?.get("_pytrix_stream");
  if (typeof runner !== "function") {
    throw new Error("the snapshot's harness namespace is incomplete");
  }
  stream = runner;
  harnessSource = source;
}

async function init(message: Extract<ToWorker, { type: "init" }>): Promise<void> {
  const started = performance.now();
  const { indexURL, control: shared, harness } = message;
  const phases = { importMs: 0, interpreterMs: 0, harnessMs: 0, snapshotMs: 0 };
  try {
    let mark = performance.now();
    ahead.expect(message.ahead ?? []);
    if (message.cache) {
      // The snapshot's entry only for a worker that restores the kept snapshot (a replacement has its bytes).
      const snapshotAt = normalUrl(message.snapshotUrl ?? "");
      const files = new Map(
        Object.entries(message.cache)
          .map(([url, key]): [string, string] => [normalUrl(url), key])
          .filter(([url, key]) => key.startsWith("pyodide/") || url === snapshotAt),
      );
      pageCache = new PageCache(browserCaches(), files, (text) => post({ type: "log", text }));
      if (pageCache.available) {
        pageCache.prefetch();
      } else {
        post({ type: "log", text: "the page has no Cache Storage (not a secure context): files come from the host" });
        pageCache = null;
      }
    }
    // Pyodide's own module: imported from the page's copy alongside pyodide.mjs when it was fetched ahead.
    const asmUrl = `${indexURL}pyodide.asm.mjs`;
    const createPyodideModule = message.ahead?.includes(asmUrl) || pageCache?.keyFor(normalUrl(asmUrl)) !== undefined
      ? importModule(asmUrl).then((asm) => (asm as { default: unknown }).default)
      : undefined;
    createPyodideModule?.catch(() => undefined); // reported by loadPyodide below
    const module = (await importModule(`${indexURL}pyodide.mjs`)) as PyodideModule;
    phases.importMs = since(mark);
    const base = {
      indexURL,
      ...(createPyodideModule ? { createPyodideModule } : {}),
      stdout: (text: string) => post({ type: "log", text }),
      stderr: (text: string) => post({ type: "log", text }),
    };
    let path: StartPath = "fresh";
    let makeSnapshot = message.makeSnapshot;
    mark = performance.now();
    const damagedLog = "the host found the kept snapshot damaged (its checksum); starting afresh";
    let snapshotUrl = message.snapshot === null ? (message.snapshotUrl ?? null) : null;
    if (snapshotUrl && message.verdictFollows && verdict.known === false) {
      // Damaged, and known before Pyodide starts: never fetched for a restore, the page's bytes dropped.
      void ahead.take(snapshotUrl);
      post({ type: "log", text: damagedLog });
      snapshotUrl = null;
      makeSnapshot = true;
    }
    const fetched = snapshotUrl ? fetchSnapshot(snapshotUrl) : null;
    fetched?.catch(() => undefined); // reported by loadPyodide below
    // Unchecked when offered: restored only once the host's verdict says it is good.
    const released =
      fetched && message.verdictFollows
        ? verdict.release(fetched, () => post({ type: "log", text: `the kept snapshot's bytes are here (${since(started).toFixed(0)} ms); waiting for the host's checksum verdict` }))
        : fetched;
    released?.catch(() => undefined); // reported by loadPyodide below
    const kept = message.snapshot ?? released;
    if (kept) {
      try {
        // A promise lets Pyodide fetch its own files meanwhile.
        const restored = await module.loadPyodide({ ...base, _loadSnapshot: kept });
        if (harness !== null && bakedHarness(restored) !== harness) {
          // Made for another harness (or none): never used; a new one replaces it.
          post({ type: "log", text: "the interpreter snapshot holds another harness; starting afresh" });
          path = "stale";
        } else {
          if (harness !== null) adoptBakedHarness(restored, harness);
          pyodide = restored;
          path = "restored";
        }
      } catch (error) {
        if (error instanceof DamagedSnapshot || (message.verdictFollows && verdict.known === false)) {
          post({ type: "log", text: damagedLog });
        } else {
          post({ type: "log", text: `could not restore the interpreter snapshot (${String(error)}); starting afresh` });
          path = "failed";
        }
      }
      if (pyodide === null) {
        stream = null;
        harnessSource = null;
        makeSnapshot = true;
      }
    }
    if (pyodide === null) {
      pyodide = await module.loadPyodide({ ...base, _makeSnapshot: makeSnapshot });
    }
    phases.interpreterMs = since(mark);
    let snapshot: Uint8Array | null = null;
    if (path !== "restored") {
      if (harness !== null) {
        // Loaded before the snapshot, so a restored interpreter starts with it.
        mark = performance.now();
        loadHarness(harness);
        pyodide.globals.set(BAKED_SOURCE, harness);
        phases.harnessMs = since(mark);
      }
      if (makeSnapshot) {
        // Before anything else touches the interpreter (no run has happened yet).
        mark = performance.now();
        snapshot = pyodide.makeMemorySnapshot();
        phases.snapshotMs = since(mark);
      }
    }
    if (shared) {
      control = new Int32Array(shared, INTERRUPT_SLOT * 4, 1);
      abortFlag = new Int32Array(shared, ABORT_SLOT * 4, 1);
      // A worker terminated mid-interrupt may have left a signal behind.
      Atomics.store(control, 0, 0);
      Atomics.store(abortFlag, 0, 0);
      pyodide.setInterruptBuffer(control);
    }
    const python = String(pyodide.runPython("import sys\nsys.version.split()[0]"));
    const ready: FromWorker = {
      type: "ready",
      python,
      loadMs: since(started),
      fromSnapshot: path === "restored",
      path,
      phases,
      harnessLoaded: harness !== null && harnessSource === harness,
    };
    if (snapshot) {
      const buffer = snapshot.buffer.slice(snapshot.byteOffset, snapshot.byteOffset + snapshot.byteLength) as ArrayBuffer;
      ready.snapshot = buffer;
      (self as unknown as { postMessage(m: unknown, t: Transferable[]): void }).postMessage(ready, [buffer]);
    } else {
      post(ready);
    }
    post({ type: "log", text: `fetched by the worker itself: ${fetchTimes() || "nothing"}` });
    if (path !== "restored") {
      // Not restored (damaged, stale or failed): not kept in the page's cache either.
      for (const key of toKeep.keys()) if (key.startsWith("snapshot/")) toKeep.delete(key);
    }
    if (pageCache !== null) {
      const hits = Object.keys(message.cache ?? {}).filter((url) => pageCache?.hit(normalUrl(url)));
      post({ type: "log", text: `from the page's cache: ${hits.map(fileName).join(", ") || "nothing"}` });
      setTimeout(firstRunDone, KEEP_AFTER_MS);
      void firstRun.then(keepInPageCache).catch((error: unknown) => post({ type: "log", text: `could not keep the start's files in the page's cache (${String(error)})` }));
    }
    if (path === "restored" && fetched) {
      // A copy (Pyodide may still hold the original), transferred: replacement workers start from it.
      const copy = (await fetched).slice(0);
      (self as unknown as { postMessage(m: FromWorker, t: Transferable[]): void }).postMessage({ type: "snapshotBytes", snapshot: copy }, [copy]);
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
  // Kept in __main__ too, so a memory snapshot taken now holds it.
  pyodide.globals.set(BAKED_NAMESPACE, namespace);
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
    firstRunDone();
  }
}

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === "init") {
    void init(message);
  } else if (message.type === "file") {
    ahead.deliver(message.url, message.data);
  } else if (message.type === "snapshotVerdict") {
    post({ type: "log", text: `the host's checksum verdict on the kept snapshot: ${message.good ? "good" : "damaged"}` });
    verdict.settle(message.good);
  } else if (message.type === "run") {
    run(message.id, message.harness, message.request);
  }
};
