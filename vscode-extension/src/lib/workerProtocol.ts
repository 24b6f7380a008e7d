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
      /**
       * Else the URL of a kept, gzip-compressed snapshot: the worker fetches it while
       * Pyodide fetches its own files, and sends the bytes back ("snapshotBytes").
       */
      snapshotUrl?: string | null;
      /**
       * The host offered `snapshotUrl` before checking its checksum: a "snapshotVerdict"
       * follows, and the worker restores nothing until it is good (lib/snapshotVerdict.ts).
       */
      verdictFollows?: boolean;
      /** Take such a snapshot after loading and send it back with "ready". */
      makeSnapshot: boolean;
      /**
       * The harness to load before the snapshot is taken (so a restored interpreter
       * has it loaded), or null. A restored snapshot holding another harness is stale:
       * the worker boots afresh instead.
       */
      harness: string | null;
      /**
       * URLs the page is fetching for this worker (lib/fetchAhead.ts): each one's bytes
       * follow in a "file" message, and the worker waits for them instead of fetching.
       */
      ahead?: string[];
      /**
       * URL to key of the files the page origin's cache may hold (lib/pageCache.ts): each is
       * read from there first, and what was not there is kept there after the first run.
       */
      cache?: Record<string, string>;
    }
  /** A file the page fetched ahead for the worker (null: the page's fetch failed). */
  | { type: "file"; url: string; data: ArrayBuffer | null }
  /** The host's verdict on the checksum of the kept snapshot at `snapshotUrl` (false: damaged, never restore it). */
  | { type: "snapshotVerdict"; good: boolean }
  | { type: "run"; id: number; harness: string; request: unknown };

/** Where a worker's start-up time went, in milliseconds (each phase on its own). */
export interface LoadPhases {
  /** Importing pyodide.mjs. */
  importMs: number;
  /** loadPyodide: booting Python, or restoring a snapshot (with the failed attempt, if any). */
  interpreterMs: number;
  /** Loading the harness (0 when the snapshot had it). */
  harnessMs: number;
  /** Taking the memory snapshot (0 when none was taken). */
  snapshotMs: number;
}

const START_PATHS = ["restored", "fresh", "stale", "failed"] as const;

/** How the interpreter started: restored from the snapshot, or booted (no snapshot, a stale one, one that failed to restore). */
export type StartPath = (typeof START_PATHS)[number];

export type FromWorker =
  | {
      type: "ready";
      python: string;
      loadMs: number;
      fromSnapshot: boolean;
      snapshot?: ArrayBuffer;
      /** How it started; absent from older workers. */
      path?: StartPath;
      phases?: LoadPhases;
      /** The harness given in "init" is loaded. */
      harnessLoaded?: boolean;
    }
  /** The bytes of the snapshot restored from `snapshotUrl`, for starting replacement workers. */
  | { type: "snapshotBytes"; snapshot: ArrayBuffer }
  /** Every key the page's cache holds, once the worker kept what it had used (lib/pageCache.ts). */
  | { type: "cached"; keys: string[] }
  | { type: "loadFailed"; message: string }
  | { type: "event"; id: number; event: string }
  | { type: "done"; id: number }
  | { type: "stopped"; id: number }
  | { type: "failed"; id: number; message: string }
  | { type: "log"; text: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function isPhases(value: unknown): value is LoadPhases {
  return isRecord(value) && ["importMs", "interpreterMs", "harnessMs", "snapshotMs"].every((key) => typeof value[key] === "number");
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
      const ready: Extract<FromWorker, { type: "ready" }> = {
        type: "ready",
        python: data.python,
        loadMs: data.loadMs,
        fromSnapshot: data.fromSnapshot === true,
      };
      if (data.snapshot instanceof ArrayBuffer) ready.snapshot = data.snapshot;
      if (typeof data.path === "string" && (START_PATHS as readonly string[]).includes(data.path)) ready.path = data.path as StartPath;
      if (isPhases(data.phases)) ready.phases = data.phases;
      if (data.harnessLoaded === true) ready.harnessLoaded = true;
      return ready;
    }
    case "snapshotBytes":
      return data.snapshot instanceof ArrayBuffer ? { type: "snapshotBytes", snapshot: data.snapshot } : null;
    case "cached":
      return Array.isArray(data.keys) && data.keys.every((key) => typeof key === "string") ? { type: "cached", keys: data.keys as string[] } : null;
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
