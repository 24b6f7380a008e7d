/**
 * The page side of the Pyodide runtime: owns the module worker, runs
 * `pytrix/runTests` jobs in it and enforces the time limits.
 *
 * How limits are enforced (the same rules as the server's subprocess sandbox):
 * - all tests run in one harness call whose events stream out of the worker
 *   one by one; a test's clock starts at its `begin` event;
 * - a test's limit is its own `timeout` (seconds) when the request gives one
 *   (slow large-input tests), else `testTimeout`;
 * - when a test outlives its limit (or the run outlives `runTimeout`) and
 *   the page is cross-origin isolated, the runtime raises the abort flag and
 *   writes SIGINT into Pyodide's interrupt buffer; if the worker has not
 *   stopped within the grace period (time.sleep, a long C loop), or when the
 *   page is not isolated, the worker is terminated and a fresh one started;
 * - a timed-out test is reported in `timedOut` and the run stops there (a
 *   timeout usually means every later test would hang too);
 * - a worker that dies during a test is reported in `crashed` and the
 *   remaining tests run again in a fresh worker.
 * Pyodide's start-up time never counts against the limits.
 *
 * Plain TypeScript with the worker, the clock and the timers injected, so the
 * logic is unit-tested with a fake worker and runs for real in a browser.
 */

import {
  ABORT_SLOT,
  INTERRUPT_SLOT,
  SIGINT,
  parseFromWorker,
  type FromWorker,
  type LoadPhases,
  type StartPath,
  type ToWorker,
} from "./workerProtocol";
import type { AheadFile } from "./fetchAhead";
import { parseEvent, type HarnessEvent, type HarnessTest, type RunTestsParams, type RunTestsResult } from "./runTests";

export interface WorkerLike {
  postMessage(message: ToWorker, transfer?: ArrayBuffer[]): void;
  terminate(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type RuntimeState = "idle" | "loading" | "ready" | "running" | "restarting" | "failed";

export interface RuntimeStatus {
  state: RuntimeState;
  isolated: boolean;
  /** "interrupt" when SharedArrayBuffer interrupts are possible, else "terminate". */
  stopMode: "interrupt" | "terminate";
  python?: string;
  loadMs?: number;
  /** The last start restored a memory snapshot instead of booting Python. */
  fromSnapshot?: boolean;
  /** How the last start went: restored, or booted fresh (no snapshot, a stale one, one that failed). */
  startPath?: StartPath;
  lastRunMs?: number;
  /** Milliseconds from writing SIGINT to the worker reporting it stopped. */
  lastInterruptMs?: number;
  /** Milliseconds from terminating a stuck worker to its replacement being ready. */
  lastRecoveryMs?: number;
  message?: string;
}

export interface RuntimeOptions {
  createWorker: () => WorkerLike;
  indexURL: string;
  /** Use SharedArrayBuffer interrupts (the page must be cross-origin isolated). */
  isolated: boolean;
  /**
   * How long an interrupt may take before the worker is terminated (default 1 s: honoured ones take
   * about 3 ms, but a loaded 2-core machine missed 300 ms twice; only a test the interrupt cannot
   * stop, such as time.sleep, waits it out before the restart).
   */
  graceMs?: number;
  now?: () => number;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  onStatus?: (status: RuntimeStatus) => void;
  onLog?: (text: string) => void;
  /**
   * Keep a memory snapshot of the first freshly loaded interpreter and start
   * replacement workers from it (much faster than booting Python). Default on.
   */
  snapshots?: boolean;
  /** A snapshot kept from an earlier session, tried by the first worker (null when there is none). */
  initialSnapshot?: () => Promise<ArrayBuffer | null>;
  /**
   * Instead, the URL of a kept gzip-compressed snapshot, which the first worker
   * fetches itself while Pyodide fetches its own files.
   */
  snapshotUrl?: string;
  /**
   * The host's verdict on `snapshotUrl`'s checksum (true: good), when the host offered
   * it before checking it: the first worker is told it follows and restores nothing
   * before it (lib/snapshotVerdict.ts). Absent: the snapshot was checked before it was offered.
   */
  snapshotVerdict?: Promise<boolean>;
  /**
   * Called with each snapshot taken of a freshly booted interpreter (to keep it
   * for later sessions), once no run is in progress or waiting, so passing
   * tens of MB on does not delay a result.
   */
  onSnapshot?: (snapshot: ArrayBuffer) => void;
  /**
   * The harness to load into a freshly booted interpreter before its snapshot
   * is taken (null: none), fetched alongside the kept snapshot. A restored
   * snapshot holding another harness is not used.
   */
  harness?: () => Promise<string | null>;
  /**
   * Files the page started fetching for the first worker (lib/fetchAhead.ts),
   * by URL: each is handed to it as it arrives, and the worker uses those
   * bytes instead of fetching the URL itself. Later workers fetch their own.
   */
  ahead?: Map<string, Promise<AheadFile>>;
  /**
   * URL to key of the files the page origin's cache may hold (lib/pageCache.ts), for every
   * worker: each reads them from there first and keeps there what it had to get otherwise.
   */
  cache?: Record<string, string>;
  /** Told every key the page's cache holds once the first worker kept its files there. */
  onCached?: (keys: string[]) => void;
}

type Outcome =
  | { kind: "finished" }
  | { kind: "timeout"; runDeadline: boolean }
  | { kind: "crashed"; message: string }
  | { kind: "stopped"; reason: string };

interface Accumulator {
  events: HarnessEvent[];
  seen: Set<string>;
  reported: Set<number>;
  current: number | null;
}

interface Loaded {
  worker: WorkerLike;
  python: string;
}

export class RuntimeUnavailable extends Error {}

/** A test's time limit in seconds: its own `timeout` when the request gives one, else `testTimeout`. */
export function testLimit(params: RunTestsParams, index: number): number {
  const own = params.request.tests.find((test) => test.index === index)?.timeout;
  return typeof own === "number" && Number.isFinite(own) && own > 0 ? own : params.testTimeout;
}

export class PyodideRuntime {
  private readonly graceMs: number;
  private readonly now: () => number;
  private readonly setTimer: (callback: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  private readonly control: SharedArrayBuffer | null;
  private readonly interruptView: Int32Array | null;
  private readonly abortView: Int32Array | null;
  private loading: Promise<Loaded> | null = null;
  private worker: WorkerLike | null = null;
  private nextId = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private activeStop: ((reason: string) => void) | null = null;
  private snapshot: ArrayBuffer | null = null;

  /** The snapshot replacement workers start from (the one taken or restored), or null. */
  get keptSnapshot(): ArrayBuffer | null {
    return this.snapshot;
  }
  private triedInitialSnapshot = false;
  private triedSnapshotUrl = false;
  private sentAhead = false;
  private harness: string | null = null;
  private spawnBegan = 0;
  private fetchedMs = 0;
  private pendingRuns = 0;
  private unsentSnapshot: ArrayBuffer | null = null;
  private readonly status: RuntimeStatus;

  constructor(private readonly options: RuntimeOptions) {
    this.graceMs = options.graceMs ?? 1000;
    this.now = options.now ?? (() => performance.now());
    this.setTimer = options.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
    this.clearTimer = options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
    const canShare = options.isolated && typeof SharedArrayBuffer === "function";
    this.control = canShare ? new SharedArrayBuffer(8) : null;
    this.interruptView = this.control ? new Int32Array(this.control, INTERRUPT_SLOT * 4, 1) : null;
    this.abortView = this.control ? new Int32Array(this.control, ABORT_SLOT * 4, 1) : null;
    this.status = { state: "idle", isolated: canShare, stopMode: canShare ? "interrupt" : "terminate" };
  }

  get current(): RuntimeStatus {
    return { ...this.status };
  }

  private update(patch: Partial<RuntimeStatus>): void {
    Object.assign(this.status, patch);
    this.options.onStatus?.({ ...this.status });
  }

  /** Start Pyodide (once); resolves with the Python version when it is ready. */
  start(): Promise<string> {
    return this.ensureLoaded().then((loaded) => loaded.python);
  }

  private ensureLoaded(): Promise<Loaded> {
    if (this.loading === null) {
      this.loading = this.spawn();
      this.loading.catch(() => {
        this.loading = null;
      });
    }
    return this.loading;
  }

  private async spawn(): Promise<Loaded> {
    this.spawnBegan = this.now();
    this.fetchedMs = 0;
    if (!this.triedInitialSnapshot) {
      this.triedInitialSnapshot = true;
      const useKept = this.options.initialSnapshot && !this.options.snapshotUrl && this.options.snapshots !== false;
      const [snapshot, harness] = await Promise.all([
        useKept ? settle(this.options.initialSnapshot!()) : Promise.resolve(null),
        this.options.harness ? settle(this.options.harness()) : Promise.resolve(null),
      ]);
      this.snapshot = snapshot;
      this.harness = harness;
      this.fetchedMs = this.now() - this.spawnBegan;
    }
    return this.spawnWorker();
  }

  private spawnWorker(): Promise<Loaded> {
    if (this.interruptView && this.abortView) {
      // A terminated worker may have left a signal or the abort flag behind.
      Atomics.store(this.interruptView, 0, 0);
      Atomics.store(this.abortView, 0, 0);
    }
    this.update({ state: this.status.state === "restarting" ? "restarting" : "loading", message: undefined });
    return new Promise<Loaded>((resolve, reject) => {
      let worker: WorkerLike;
      try {
        worker = this.options.createWorker();
      } catch (error) {
        this.update({ state: "failed", message: `Could not start the Pyodide worker: ${String(error)}` });
        reject(new RuntimeUnavailable(`Could not start the Pyodide worker: ${String(error)}`));
        return;
      }
      this.worker = worker;
      worker.onmessage = (event) => {
        const message = parseFromWorker(event.data);
        if (message?.type === "ready") {
          if (message.snapshot) {
            this.snapshot = message.snapshot;
            this.passOnWhenIdle(message.snapshot);
          } else if (!message.fromSnapshot && this.snapshot !== null) {
            this.snapshot = null; // the kept snapshot did not restore: take a fresh one next time
          }
          // From the page's side: fetching a kept snapshot and starting the worker count too.
          const loadMs = Math.max(message.loadMs, this.now() - this.spawnBegan);
          const startPath = message.path ?? (message.fromSnapshot ? "restored" : "fresh");
          this.options.onLog?.(describeStart(startPath, loadMs, this.fetchedMs, message.phases, message.harnessLoaded === true));
          this.update({ state: "ready", python: message.python, loadMs, fromSnapshot: message.fromSnapshot, startPath });
          resolve({ worker, python: message.python });
        } else if (message !== null && this.ambient(message)) {
          return;
        } else if (message?.type === "loadFailed") {
          worker.terminate();
          this.update({ state: "failed", message: message.message });
          reject(new RuntimeUnavailable(`Pyodide failed to load: ${message.message}`));
        }
      };
      worker.onerror = (event) => {
        worker.terminate();
        const text = describeError(event);
        this.update({ state: "failed", message: text });
        reject(new RuntimeUnavailable(`The Pyodide worker failed to start: ${text}`));
      };
      const useSnapshots = this.options.snapshots !== false;
      // Only the first worker tries the kept snapshot's URL; later ones have its bytes (or a fresh one's).
      const snapshotUrl = useSnapshots && this.snapshot === null && !this.triedSnapshotUrl ? (this.options.snapshotUrl ?? null) : null;
      this.triedSnapshotUrl = true;
      const ahead = this.options.ahead && !this.sentAhead ? this.options.ahead : undefined;
      // Every worker reads Pyodide's files from the page's cache (a replacement restarts sooner).
      const cache = this.options.cache;
      this.sentAhead = true;
      const verdict = snapshotUrl !== null ? this.options.snapshotVerdict : undefined;
      worker.postMessage({
        type: "init",
        indexURL: this.options.indexURL,
        control: this.control,
        snapshot: useSnapshots ? this.snapshot : null,
        snapshotUrl,
        makeSnapshot: useSnapshots && this.snapshot === null && snapshotUrl === null,
        harness: this.harness,
        ...(verdict ? { verdictFollows: true } : {}),
        ...(ahead ? { ahead: [...ahead.keys()] } : {}),
        ...(cache ? { cache } : {}),
      });
      // A verdict that never comes (the promise failed) counts as damaged: nothing unchecked is restored.
      void verdict?.then(
        (good) => worker.postMessage({ type: "snapshotVerdict", good }),
        () => worker.postMessage({ type: "snapshotVerdict", good: false }),
      );
      for (const file of ahead?.values() ?? []) {
        void file.then(({ url, data }) => worker.postMessage({ type: "file", url, data }, data ? [data] : []));
      }
    });
  }

  /** Take a message the worker may send at any time (outside any run's exchange); false for the others. */
  private ambient(message: FromWorker): boolean {
    switch (message.type) {
      case "log":
        this.options.onLog?.(message.text);
        return true;
      case "snapshotBytes":
        this.snapshot ??= message.snapshot;
        return true;
      case "cached":
        this.options.onCached?.(message.keys);
        return true;
      default:
        return false;
    }
  }

  /** Terminate the worker and start a fresh one in the background. */
  private restart(): void {
    const worker = this.worker;
    this.worker = null;
    this.loading = null;
    if (worker) {
      worker.onmessage = null;
      worker.onerror = null;
      worker.terminate();
    }
    this.update({ state: "restarting" });
    const began = this.now();
    this.ensureLoaded().then(
      () => this.update({ lastRecoveryMs: this.now() - began }),
      () => undefined,
    );
  }

  /** Stop the run in progress (the learner pressed Stop); its current test is reported as crashed. */
  stop(reason = "Stopped from the practice panel."): boolean {
    if (this.activeStop === null) {
      return false;
    }
    this.activeStop(reason);
    return true;
  }

  /** Terminate the worker for good (handing over a snapshot not passed on yet). */
  dispose(): void {
    this.sendSnapshot();
    this.activeStop?.("The practice panel was closed.");
    const worker = this.worker;
    this.worker = null;
    this.loading = null;
    worker?.terminate();
    this.update({ state: "idle" });
  }

  /** Run a `pytrix/runTests` job; jobs run one after another. */
  run(params: RunTestsParams): Promise<RunTestsResult> {
    this.pendingRuns += 1;
    const job = this.queue.then(() => this.runJob(params));
    this.queue = job.catch(() => undefined);
    const done = (): void => {
      this.pendingRuns -= 1;
    };
    job.then(done, done);
    return job;
  }

  /** Hand a new snapshot to `onSnapshot` once no run is in progress or waiting (or at `dispose`). */
  private passOnWhenIdle(snapshot: ArrayBuffer): void {
    if (!this.options.onSnapshot) return;
    this.unsentSnapshot = snapshot;
    const check = (): void => {
      if (this.unsentSnapshot !== snapshot) return; // handed over, or replaced meanwhile
      if (this.pendingRuns > 0) {
        this.setTimer(check, SNAPSHOT_IDLE_MS);
      } else {
        this.sendSnapshot();
      }
    };
    this.setTimer(check, SNAPSHOT_IDLE_MS);
  }

  private sendSnapshot(): void {
    const snapshot = this.unsentSnapshot;
    this.unsentSnapshot = null;
    if (snapshot) this.options.onSnapshot?.(snapshot);
  }

  private async runJob(params: RunTestsParams): Promise<RunTestsResult> {
    const loaded = await this.ensureLoaded();
    let python = loaded.python;
    const acc: Accumulator = { events: [], seen: new Set(), reported: new Set(), current: null };
    const timedOut: Record<string, number> = {};
    const crashed: Record<string, string> = {};
    let moduleFailure: string | undefined;
    let spent = 0;
    let pending: HarnessTest[] = [...params.request.tests];
    this.update({ state: "running" });
    try {
      for (;;) {
        const ready = await this.ensureLoaded();
        python = ready.python;
        const began = this.now();
        const budget = params.runTimeout * 1000 - spent;
        const outcome = await this.attempt(ready.worker, params, pending, acc, budget);
        spent += this.now() - began;
        if (outcome.kind === "finished") {
          break;
        }
        if (!acc.seen.has("module") && !acc.seen.has("compile_error")) {
          moduleFailure =
            outcome.kind === "timeout"
              ? `Loading the file took longer than ${params.runTimeout} s: is there an infinite loop at the top level?`
              : `The file could not be loaded: ${outcome.kind === "crashed" ? outcome.message : outcome.reason}`;
          break;
        }
        const stuck = acc.current;
        if (outcome.kind === "timeout") {
          if (stuck !== null) {
            timedOut[String(stuck)] = outcome.runDeadline ? params.runTimeout : testLimit(params, stuck);
          }
          break;
        }
        if (outcome.kind === "stopped") {
          if (stuck !== null) {
            crashed[String(stuck)] = outcome.reason;
          }
          break;
        }
        if (stuck !== null) {
          crashed[String(stuck)] = outcome.message;
        }
        const remaining = pending.filter((test) => !acc.reported.has(test.index) && test.index !== stuck);
        if (remaining.length === pending.length || remaining.length === 0) {
          break;
        }
        pending = remaining;
        acc.current = null;
      }
    } finally {
      if (this.status.state === "running") {
        this.update({ state: "ready" });
      }
    }
    this.update({ lastRunMs: spent });
    const result: RunTestsResult = { events: acc.events, timedOut, crashed, pythonVersion: python, durationMs: spent };
    if (moduleFailure !== undefined) {
      result.moduleFailure = moduleFailure;
    }
    return result;
  }

  /** One harness call over `tests`; resolves when it ends, is stopped or dies. */
  private attempt(
    worker: WorkerLike,
    params: RunTestsParams,
    tests: HarnessTest[],
    acc: Accumulator,
    budgetMs: number,
  ): Promise<Outcome> {
    const id = ++this.nextId;
    return new Promise<Outcome>((resolve) => {
      let settled = false;
      let testTimer: unknown = null;
      let graceTimer: unknown = null;
      let interruptAt: number | null = null;
      let pendingOutcome: Outcome | null = null;
      const runDeadline = this.now() + Math.max(0, budgetMs);

      const finish = (outcome: Outcome): void => {
        if (settled) {
          return;
        }
        settled = true;
        this.clearTimer(runTimer);
        if (testTimer !== null) this.clearTimer(testTimer);
        if (graceTimer !== null) this.clearTimer(graceTimer);
        this.activeStop = null;
        resolve(outcome);
      };

      const halt = (outcome: Outcome): void => {
        if (settled || pendingOutcome !== null) {
          return;
        }
        pendingOutcome = outcome;
        if (this.interruptView && this.abortView) {
          Atomics.store(this.abortView, 0, 1);
          Atomics.store(this.interruptView, 0, SIGINT);
          interruptAt = this.now();
          graceTimer = this.setTimer(() => {
            this.restart();
            finish(outcome);
          }, this.graceMs);
        } else {
          this.restart();
          finish(outcome);
        }
      };

      const runTimer = this.setTimer(() => halt({ kind: "timeout", runDeadline: true }), Math.max(0, budgetMs));
      this.activeStop = (reason) => halt({ kind: "stopped", reason });

      worker.onmessage = (event) => {
        const message: FromWorker | null = parseFromWorker(event.data);
        // Logs, the snapshot's bytes (they follow "ready", so may arrive while the first run goes on)
        // and the cache's report come whether or not a run is going on.
        if (message === null || this.ambient(message) || settled) {
          return;
        }
        if (!("id" in message) || message.id !== id) {
          return;
        }
        if (message.type === "event") {
          if (pendingOutcome !== null) {
            // Stopping: only the line an interrupted test was running still counts.
            const late = pendingOutcome.kind === "timeout" ? parseEvent(message.event) : null;
            if (late !== null && late.event === "where" && late.index === acc.current) acc.events.push(late);
            return;
          }
          const harnessEvent = parseEvent(message.event);
          if (harnessEvent !== null) {
            this.record(harnessEvent, acc, (index) => {
              if (testTimer !== null) this.clearTimer(testTimer);
              testTimer = null;
              if (index !== null) {
                const limitMs = testLimit(params, index) * 1000;
                const left = Math.min(limitMs, runDeadline - this.now());
                const byRun = limitMs > runDeadline - this.now();
                testTimer = this.setTimer(() => halt({ kind: "timeout", runDeadline: byRun }), Math.max(0, left));
              }
            });
          }
          return;
        }
        if (pendingOutcome !== null && (message.type === "stopped" || message.type === "failed" || message.type === "done")) {
          if (interruptAt !== null) {
            this.update({ lastInterruptMs: this.now() - interruptAt });
          }
          finish(pendingOutcome);
          return;
        }
        if (message.type === "done") {
          finish({ kind: "finished" });
        } else if (message.type === "failed" || message.type === "stopped") {
          this.restart();
          finish({ kind: "crashed", message: message.type === "failed" ? message.message : "the runtime stopped" });
        }
      };
      worker.onerror = (event) => {
        if (settled) {
          return;
        }
        this.restart();
        finish(pendingOutcome ?? { kind: "crashed", message: `the Python runtime crashed (${describeError(event)})` });
      };

      if (this.interruptView && this.abortView) {
        Atomics.store(this.interruptView, 0, 0);
        Atomics.store(this.abortView, 0, 0);
      }
      worker.postMessage({ type: "run", id, harness: params.harness, request: { ...params.request, tests } });
    });
  }

  private record(event: HarnessEvent, acc: Accumulator, onTestClock: (index: number | null) => void): void {
    const kind = event.event;
    if (kind === "ready" || kind === "module" || kind === "compile_error") {
      if (acc.seen.has(kind)) {
        return;
      }
      acc.seen.add(kind);
    }
    if (kind === "end" && acc.seen.has("end")) {
      return;
    }
    if (kind === "end") {
      acc.seen.add("end");
    }
    acc.events.push(event);
    if (kind === "begin" && typeof event.index === "number") {
      acc.current = event.index;
      onTestClock(event.index);
    } else if (kind === "test" && typeof event.index === "number") {
      acc.reported.add(event.index);
      acc.current = null;
      onTestClock(null);
    }
  }
}

/** Milliseconds without a run before a new snapshot is passed on. */
export const SNAPSHOT_IDLE_MS = 250;

/** A promise's value, or null when it fails. */
async function settle<T>(promise: Promise<T | null>): Promise<T | null> {
  try {
    return (await promise) ?? null;
  } catch {
    return null;
  }
}

const START_WORDS: Record<StartPath, string> = {
  restored: "restored from the kept snapshot",
  fresh: "booted (no snapshot)",
  stale: "booted (the kept snapshot was stale)",
  failed: "booted (the kept snapshot did not restore)",
};

/** One log line saying how a worker started and where its time went. */
export function describeStart(path: StartPath, loadMs: number, fetchedMs: number, phases: LoadPhases | undefined, harnessLoaded: boolean): string {
  const parts = [`fetching the snapshot and harness ${fetchedMs.toFixed(0)} ms`];
  if (phases) {
    parts.push(
      `pyodide.mjs ${phases.importMs.toFixed(0)} ms`,
      `interpreter ${phases.interpreterMs.toFixed(0)} ms`,
      `harness ${phases.harnessMs.toFixed(0)} ms`,
      `snapshot ${phases.snapshotMs.toFixed(0)} ms`,
    );
  }
  return `Pyodide ready in ${loadMs.toFixed(0)} ms, ${START_WORDS[path]}${harnessLoaded ? " with the harness loaded" : ""}: ${parts.join(", ")}`;
}

function describeError(event: unknown): string {
  if (typeof event === "object" && event !== null && "message" in event) {
    const message = (event as { message: unknown }).message;
    if (typeof message === "string" && message) {
      return message;
    }
  }
  return String(event);
}
