/**
 * The host's checksum verdict on a kept snapshot offered before it was checked
 * (src/lib/snapshotVerdict.ts): bytes are released only once the verdict is
 * good, whichever comes first; a damaged verdict rejects at once; the runtime
 * tells its first worker a verdict follows and forwards it; the page's message
 * is validated. The real worker on real Pyodide is in workerSnapshot.test.ts.
 */

import { describe, expect, it } from "vitest";
import { parseToPractice } from "../src/lib/messages";
import { PyodideRuntime } from "../src/lib/pyodideRuntime";
import { DamagedSnapshot, SnapshotVerdict } from "../src/lib/snapshotVerdict";
import type { ToWorker } from "../src/lib/workerProtocol";
import { FakeWorker } from "./fakeWorker";

/** A promise settled from outside. */
function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

/** Whether a promise has settled, once every pending callback has run. */
async function settledYet(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  // A macrotask runs after every microtask queued so far (and those they queue).
  await new Promise<void>((done) => setImmediate(done));
  return settled;
}

describe("SnapshotVerdict", () => {
  it("holds bytes that came first until a good verdict, saying they wait", async () => {
    const verdict = new SnapshotVerdict();
    const bytes = deferred<string>();
    let held = 0;
    const released = verdict.release(bytes.promise, () => (held += 1));
    bytes.resolve("snapshot");
    expect(await settledYet(released)).toBe(false); // no restore before the verdict
    expect(held).toBe(1);
    verdict.settle(true);
    expect(await released).toBe("snapshot");
    expect(verdict.known).toBe(true);
  });

  it("releases bytes that come after a good verdict as they arrive, without holding them", async () => {
    const verdict = new SnapshotVerdict();
    verdict.settle(true);
    const bytes = deferred<string>();
    let held = 0;
    const released = verdict.release(bytes.promise, () => (held += 1));
    expect(await settledYet(released)).toBe(false);
    bytes.resolve("snapshot");
    expect(await released).toBe("snapshot");
    expect(held).toBe(0);
  });

  it("rejects at once on a damaged verdict, before the bytes arrive, and drops them when they do", async () => {
    const verdict = new SnapshotVerdict();
    const bytes = deferred<string>();
    const released = verdict.release(bytes.promise);
    verdict.settle(false);
    await expect(released).rejects.toBeInstanceOf(DamagedSnapshot);
    bytes.resolve("snapshot"); // arriving later changes nothing
    await expect(released).rejects.toThrow(/damaged/);
  });

  it("rejects on a damaged verdict after the bytes, and the first verdict counts", async () => {
    const verdict = new SnapshotVerdict();
    const released = verdict.release(Promise.resolve("snapshot"));
    expect(await settledYet(released)).toBe(false);
    verdict.settle(false);
    verdict.settle(true);
    await expect(released).rejects.toBeInstanceOf(DamagedSnapshot);
    expect(verdict.known).toBe(false);
  });

  it("waits for the verdict even when the bytes fail: damaged wins, else the bytes' own error", async () => {
    const damaged = new SnapshotVerdict();
    const failing = damaged.release(Promise.reject(new Error("cut short")));
    expect(await settledYet(failing)).toBe(false);
    damaged.settle(false);
    await expect(failing).rejects.toBeInstanceOf(DamagedSnapshot);
    const good = new SnapshotVerdict();
    const broken = good.release(Promise.reject(new Error("cut short")));
    good.settle(true);
    await expect(broken).rejects.toThrow("cut short");
  });
});

describe("the runtime forwards the host's verdict", () => {
  /** A runtime on a kept snapshot's URL whose first worker fails to load when `firstFails`. */
  function runtimeWith(verdict: Promise<boolean> | undefined, workers: FakeWorker[], firstFails = false) {
    return new PyodideRuntime({
      createWorker: () => {
        const worker = new FakeWorker((message, w) => {
          if (message.type !== "init") return;
          if (firstFails && workers[0] === w) w.send({ type: "loadFailed", message: "no" });
          else w.send({ type: "ready", python: "3.14.2", loadMs: 5 });
        });
        workers.push(worker);
        return worker;
      },
      indexURL: "/pyodide/",
      isolated: false,
      snapshotUrl: "u/kept.snapshot",
      snapshotVerdict: verdict,
    });
  }

  const initOf = (worker: FakeWorker) => worker.received.find((m) => m.type === "init") as Extract<ToWorker, { type: "init" }>;
  const verdicts = (worker: FakeWorker) => worker.received.filter((m) => m.type === "snapshotVerdict");

  it("tells the first worker a verdict follows and sends it after init when it comes; a later worker gets neither", async () => {
    const workers: FakeWorker[] = [];
    const verdict = deferred<boolean>();
    const runtime = runtimeWith(verdict.promise, workers, true);
    await expect(runtime.start()).rejects.toThrow(/no/);
    expect(initOf(workers[0])).toMatchObject({ snapshotUrl: "u/kept.snapshot", verdictFollows: true });
    expect(verdicts(workers[0])).toEqual([]);
    verdict.resolve(true);
    await verdict.promise;
    expect(workers[0].received.map((m) => m.type)).toEqual(["init", "snapshotVerdict"]);
    expect(verdicts(workers[0])).toEqual([{ type: "snapshotVerdict", good: true }]);
    // The next worker is never given the URL, so no verdict either.
    await runtime.start();
    expect(initOf(workers[1])).toMatchObject({ snapshotUrl: null });
    expect(initOf(workers[1]).verdictFollows).toBeUndefined();
    expect(verdicts(workers[1])).toEqual([]);
    runtime.dispose();
  });

  it("counts a verdict that fails as damaged", async () => {
    const workers: FakeWorker[] = [];
    const verdict = deferred<boolean>();
    const runtime = runtimeWith(verdict.promise, workers);
    await runtime.start();
    verdict.reject(new Error("the host went away"));
    await verdict.promise.catch(() => undefined);
    expect(verdicts(workers[0])).toEqual([{ type: "snapshotVerdict", good: false }]);
    runtime.dispose();
  });

  it("says no verdict follows when the snapshot was checked before it was offered", async () => {
    const workers: FakeWorker[] = [];
    const runtime = runtimeWith(undefined, workers);
    await runtime.start();
    expect(initOf(workers[0]).verdictFollows).toBeUndefined();
    expect(verdicts(workers[0])).toEqual([]);
    runtime.dispose();
  });
});

describe("the page's verdict message", () => {
  it("is taken with its URL and a boolean verdict, and dropped otherwise", () => {
    expect(parseToPractice({ type: "snapshotVerdict", url: "https://res/kept.snapshot", good: false })).toEqual({
      type: "snapshotVerdict",
      url: "https://res/kept.snapshot",
      good: false,
    });
    expect(parseToPractice({ type: "snapshotVerdict", url: "https://res/kept.snapshot", good: "yes" })).toBeNull();
    expect(parseToPractice({ type: "snapshotVerdict", good: true })).toBeNull();
  });
});
