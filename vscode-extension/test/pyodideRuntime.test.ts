import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PyodideRuntime, RuntimeUnavailable, SNAPSHOT_IDLE_MS, describeStart, type RuntimeStatus } from "../src/lib/pyodideRuntime";
import type { RunTestsParams } from "../src/lib/runTests";
import type { ToWorker } from "../src/lib/workerProtocol";
import { FakeWorker, testEvent, type Script } from "./fakeWorker";

const HARNESS = "def run_request(request_json): ...";

function params(count: number, testTimeout = 1, runTimeout = 10): RunTestsParams {
  return {
    request: { protocol: 1, code: "x = 1", tests: Array.from({ length: count }, (_, index) => ({ index })) },
    harness: HARNESS,
    testTimeout,
    runTimeout,
  };
}

type RunMessage = Extract<ToWorker, { type: "run" }>;

/** Worker script: answers init, then hands each run to `onRun`. */
function scripted(onRun: (run: RunMessage, worker: FakeWorker) => void): Script {
  return (message, worker) => {
    if (message.type === "init") worker.send({ type: "ready", python: "3.14.2", loadMs: 5 });
    else onRun(message, worker);
  };
}

function healthyRun(run: RunMessage, worker: FakeWorker): void {
  const tests = (run.request as { tests: { index: number }[] }).tests;
  worker.events(run.id, [{ event: "ready", python: "3.14.2" }, { event: "module", stdout: "" }]);
  for (const t of tests) worker.events(run.id, testEvent(t.index));
  worker.events(run.id, [{ event: "end" }]);
  worker.send({ type: "done", id: run.id });
}

function makeRuntime(script: Script, isolated: boolean, statuses: RuntimeStatus[] = []) {
  const workers: FakeWorker[] = [];
  const runtime = new PyodideRuntime({
    createWorker: () => {
      const worker = new FakeWorker(script);
      workers.push(worker);
      return worker;
    },
    indexURL: "/pyodide/",
    isolated,
    graceMs: 300,
    now: () => Date.now(),
    onStatus: (s) => statuses.push(s),
  });
  return { runtime, workers };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("PyodideRuntime", () => {
  it("passes the harness events through and reports the Python version", async () => {
    const { runtime, workers } = makeRuntime(scripted(healthyRun), true);
    const result = await runtime.run(params(3));
    expect(result.events.map((e) => e.event)).toEqual(["ready", "module", "begin", "test", "begin", "test", "begin", "test", "end"]);
    expect(result.timedOut).toEqual({});
    expect(result.crashed).toEqual({});
    expect(result.pythonVersion).toBe("3.14.2");
    expect(workers).toHaveLength(1);
    const run = workers[0].received.find((m) => m.type === "run") as RunMessage;
    expect(run.harness).toBe(HARNESS);
  });

  it("interrupts a stuck test through the shared buffer when isolated, and stops the run there", async () => {
    const statuses: RuntimeStatus[] = [];
    const { runtime, workers } = makeRuntime(
      scripted((run, worker) => {
        worker.events(run.id, [{ event: "ready" }, { event: "module" }, ...testEvent(0), { event: "begin", index: 1 }]);
        // Test 1 loops until interrupted: the worker answers once the abort flag is up.
        const poll = setInterval(() => {
          if (worker.abort === 1 && worker.interrupt === 2) {
            clearInterval(poll);
            worker.send({ type: "stopped", id: run.id });
          }
        }, 5);
      }),
      true,
      statuses,
    );
    const pending = runtime.run(params(3, 1));
    await vi.advanceTimersByTimeAsync(1100);
    const result = await pending;
    expect(result.timedOut).toEqual({ "1": 1 });
    expect(result.events.filter((e) => e.event === "test").map((e) => e.index)).toEqual([0]);
    expect(result.events.at(-1)).toEqual({ event: "begin", index: 1 });
    expect(workers).toHaveLength(1); // honoured: no restart
    expect(workers[0].terminated).toBe(false);
    expect(runtime.current.lastInterruptMs).toBeLessThanOrEqual(10);
    expect(statuses.at(-1)?.stopMode).toBe("interrupt");
  });

  it("gives a test with its own timeout that long, and reports that limit", async () => {
    const { runtime } = makeRuntime(
      scripted((run, worker) => {
        // Test 1 (a large input) takes 2.5 s: within its own 3 s, over the default 1 s.
        worker.events(run.id, [{ event: "ready" }, { event: "module" }, ...testEvent(0), { event: "begin", index: 1 }]);
        setTimeout(() => {
          worker.events(run.id, [{ event: "test", index: 1, outcome: "returned", value: ["int", 1] }, { event: "begin", index: 2 }]);
          const poll = setInterval(() => {
            if (worker.abort === 1 && worker.interrupt === 2) {
              clearInterval(poll);
              worker.send({ type: "stopped", id: run.id });
            }
          }, 5);
        }, 2500);
      }),
      true,
    );
    const job = params(3, 1);
    job.request.tests[1].timeout = 3;
    job.request.tests[2].timeout = 4;
    const pending = runtime.run(job);
    await vi.advanceTimersByTimeAsync(2600);
    await vi.advanceTimersByTimeAsync(4100);
    const result = await pending;
    expect(result.events.filter((e) => e.event === "test").map((e) => e.index)).toEqual([0, 1]);
    expect(result.timedOut).toEqual({ "2": 4 });
  });

  it("keeps the line an interrupted test was running as a where event", async () => {
    const { runtime } = makeRuntime(
      scripted((run, worker) => {
        worker.events(run.id, [{ event: "ready" }, { event: "module" }, { event: "begin", index: 0 }]);
        const poll = setInterval(() => {
          if (worker.abort === 1 && worker.interrupt === 2) {
            clearInterval(poll);
            // What worker.ts posts for the harness's KeyboardInterrupt report, then the stop.
            worker.events(run.id, [{ event: "where", index: 0, line: 7 }, { event: "where", index: 3, line: 1 }]);
            worker.send({ type: "stopped", id: run.id });
          }
        }, 5);
      }),
      true,
    );
    const pending = runtime.run(params(2, 1));
    await vi.advanceTimersByTimeAsync(1100);
    const result = await pending;
    expect(result.timedOut).toEqual({ "0": 1 });
    expect(result.events.at(-1)).toEqual({ event: "where", index: 0, line: 7 }); // not the other test's
    expect(result.events.filter((e) => e.event === "where")).toHaveLength(1);
  });

  it("terminates and restarts a worker that ignores the interrupt for the grace period", async () => {
    const { runtime, workers } = makeRuntime(
      scripted((run, worker) => {
        if (workers.indexOf(worker) === 0) {
          worker.events(run.id, [{ event: "ready" }, { event: "module" }, { event: "begin", index: 0 }]); // time.sleep: never answers
        } else {
          healthyRun(run, worker);
        }
      }),
      true,
    );
    const pending = runtime.run(params(2, 1));
    await vi.advanceTimersByTimeAsync(1000);
    expect(workers[0].interrupt).toBe(2);
    expect(workers[0].terminated).toBe(false);
    await vi.advanceTimersByTimeAsync(310);
    const result = await pending;
    expect(result.timedOut).toEqual({ "0": 1 });
    expect(workers[0].terminated).toBe(true);
    expect(workers).toHaveLength(2); // a fresh worker is on its way
    await vi.advanceTimersByTimeAsync(1);
    const again = await runtime.run(params(2));
    expect(again.timedOut).toEqual({});
    expect(again.events.filter((e) => e.event === "test")).toHaveLength(2);
    // the new worker starts with a clean control block
    expect(workers[1].interrupt).toBe(0);
  });

  it("terminates at once when the page is not cross-origin isolated", async () => {
    const { runtime, workers } = makeRuntime(
      scripted((run, worker) => worker.events(run.id, [{ event: "ready" }, { event: "module" }, { event: "begin", index: 0 }])),
      false,
    );
    expect(runtime.current.stopMode).toBe("terminate");
    const pending = runtime.run(params(2, 2));
    await vi.advanceTimersByTimeAsync(2001);
    const result = await pending;
    expect(result.timedOut).toEqual({ "0": 2 });
    expect(workers[0].terminated).toBe(true);
    expect(workers[0].received[0]).toMatchObject({ type: "init", control: null });
  });

  it("reports the run timeout when the whole run outlives runTimeout", async () => {
    const { runtime } = makeRuntime(
      scripted((run, worker) => {
        worker.events(run.id, [{ event: "ready" }, { event: "module" }, ...testEvent(0)]);
        setTimeout(() => worker.events(run.id, testEvent(1)), 900);
        setTimeout(() => worker.events(run.id, [{ event: "begin", index: 2 }]), 1800);
      }),
      false,
    );
    const pending = runtime.run(params(3, 1, 2));
    await vi.advanceTimersByTimeAsync(2100);
    const result = await pending;
    expect(result.timedOut).toEqual({ "2": 2 });
  });

  it("re-runs the remaining tests in a fresh worker after a crash, reporting the crashed test", async () => {
    let spawned = 0;
    const { runtime, workers } = makeRuntime((message, worker) => {
      if (message.type === "init") {
        spawned += 1;
        worker.send({ type: "ready", python: "3.14.2", loadMs: 5 });
        return;
      }
      if (spawned === 1) {
        worker.events(message.id, [{ event: "ready" }, { event: "module" }, ...testEvent(0), { event: "begin", index: 1 }]);
        worker.onerror?.({ message: "RuntimeError: memory access out of bounds" });
      } else {
        healthyRun(message, worker);
      }
    }, true);
    const result = await runtime.run(params(3));
    expect(result.crashed["1"]).toContain("memory access out of bounds");
    expect(result.events.filter((e) => e.event === "test").map((e) => e.index)).toEqual([0, 2]);
    expect(result.events.filter((e) => e.event === "ready")).toHaveLength(1);
    expect(result.events.filter((e) => e.event === "module")).toHaveLength(1);
    expect(workers).toHaveLength(2);
    const secondRun = workers[1].received.find((m) => m.type === "run") as RunMessage;
    expect((secondRun.request as { tests: { index: number }[] }).tests.map((t) => t.index)).toEqual([2]);
  });

  it("reports a top-level endless loop as a module failure", async () => {
    const { runtime } = makeRuntime(scripted((run, worker) => worker.events(run.id, [{ event: "ready" }])), false);
    const pending = runtime.run(params(2, 1, 3));
    await vi.advanceTimersByTimeAsync(3100);
    const result = await pending;
    expect(result.moduleFailure).toMatch(/longer than 3 s/);
    expect(result.timedOut).toEqual({});
  });

  it("stops on request, reporting the current test as crashed", async () => {
    const { runtime } = makeRuntime(
      scripted((run, worker) => worker.events(run.id, [{ event: "ready" }, { event: "module" }, { event: "begin", index: 0 }])),
      false,
    );
    const pending = runtime.run(params(2, 30));
    await vi.advanceTimersByTimeAsync(10);
    expect(runtime.stop("Stopped from the practice panel.")).toBe(true);
    const result = await pending;
    expect(result.crashed).toEqual({ "0": "Stopped from the practice panel." });
    expect(runtime.stop()).toBe(false);
  });

  it("ignores malformed worker messages and events", async () => {
    const { runtime } = makeRuntime(
      scripted((run, worker) => {
        worker.send({ type: "event", id: run.id, event: "not json" });
        worker.send({ type: "event", id: run.id + 100, event: JSON.stringify({ event: "test", index: 9 }) });
        worker.send({ nonsense: true });
        healthyRun(run, worker);
      }),
      true,
    );
    const result = await runtime.run(params(1));
    expect(result.events.filter((e) => e.event === "test").map((e) => e.index)).toEqual([0]);
  });

  it("rejects with RuntimeUnavailable when Pyodide cannot load", async () => {
    const { runtime } = makeRuntime((message, worker) => {
      if (message.type === "init") worker.send({ type: "loadFailed", message: "404 pyodide.asm.wasm" });
    }, true);
    await expect(runtime.run(params(1))).rejects.toBeInstanceOf(RuntimeUnavailable);
    expect(runtime.current.state).toBe("failed");
  });

  it("starts replacement workers from the first interpreter's memory snapshot", async () => {
    const { runtime, workers } = makeRuntime((message, worker) => {
      if (message.type === "init") {
        const snapshot = message.makeSnapshot ? new ArrayBuffer(16) : undefined;
        worker.send({ type: "ready", python: "3.14.2", loadMs: message.snapshot ? 400 : 1500, fromSnapshot: message.snapshot !== null, snapshot });
      } else {
        worker.events(message.id, [{ event: "ready" }, { event: "module" }, { event: "begin", index: 0 }]);
      }
    }, false);
    const pending = runtime.run(params(1, 1));
    await vi.advanceTimersByTimeAsync(1001);
    await pending;
    await runtime.start();
    const [first, second] = workers.map((w) => w.received[0] as Extract<ToWorker, { type: "init" }>);
    expect(first).toMatchObject({ makeSnapshot: true, snapshot: null });
    expect(second.makeSnapshot).toBe(false);
    expect(second.snapshot?.byteLength).toBe(16);
    expect(runtime.current.fromSnapshot).toBe(true);
    expect(runtime.current.lastRecoveryMs).toBeGreaterThanOrEqual(0);
  });

  it("takes the worker's logs, the restored snapshot's bytes and its cache report after a run has settled, and tells every worker the cache's keys", async () => {
    const logs: string[] = [];
    const cached: string[][] = [];
    const workers: FakeWorker[] = [];
    const cache = { "https://res/pyodide.mjs": "pyodide/pyodide.mjs/" + "a".repeat(64) };
    let runs = 0;
    const runtime = new PyodideRuntime({
      createWorker: () => {
        // The first run passes; the second crashes its worker, so a second worker starts.
        const worker = new FakeWorker(scripted((run, w) => (runs++ === 0 ? healthyRun(run, w) : w.send({ type: "failed", id: run.id, message: "boom" }))));
        workers.push(worker);
        return worker;
      },
      indexURL: "/pyodide/",
      isolated: false,
      now: () => Date.now(),
      onLog: (text) => logs.push(text),
      cache,
      onCached: (keys) => cached.push(keys),
    });
    await runtime.run(params(1));
    // The worker keeps its files after the first run, and sends the restored snapshot's bytes late on a loaded machine.
    workers[0].send({ type: "log", text: "kept in the page's cache: pyodide.mjs" });
    workers[0].send({ type: "cached", keys: ["pyodide/pyodide.mjs/" + "a".repeat(64)] });
    workers[0].send({ type: "snapshotBytes", snapshot: new ArrayBuffer(24) });
    expect(logs).toContain("kept in the page's cache: pyodide.mjs");
    expect(cached).toEqual([["pyodide/pyodide.mjs/" + "a".repeat(64)]]);
    expect(runtime.keptSnapshot?.byteLength).toBe(24);
    // Every worker is told the cache's keys (a replacement restarts from the cache too).
    await runtime.run(params(1));
    await runtime.start();
    expect(workers).toHaveLength(2);
    const inits = workers.map((w) => w.received[0] as Extract<ToWorker, { type: "init" }>);
    expect(inits.map((init) => init.cache)).toEqual([cache, cache]);
  });

  it("boots from a snapshot kept by an earlier session, and replaces one that fails to restore", async () => {
    const kept: ArrayBuffer[] = [];
    for (const restores of [true, false]) {
      const workers: FakeWorker[] = [];
      const runtime = new PyodideRuntime({
        createWorker: () => {
          const worker = new FakeWorker((message, w) => {
            if (message.type !== "init") return;
            const restored = message.snapshot !== null && restores;
            const fresh = !restored ? new ArrayBuffer(32) : undefined; // the worker falls back to a fresh boot
            w.send({ type: "ready", python: "3.14.2", loadMs: 1, fromSnapshot: restored, snapshot: fresh });
          });
          workers.push(worker);
          return worker;
        },
        indexURL: "/pyodide/",
        isolated: false,
        initialSnapshot: async () => new ArrayBuffer(8),
        onSnapshot: (snapshot) => kept.push(snapshot),
      });
      await runtime.start();
      await vi.advanceTimersByTimeAsync(SNAPSHOT_IDLE_MS);
      const init = workers[0].received[0] as Extract<ToWorker, { type: "init" }>;
      expect(init.snapshot?.byteLength).toBe(8);
      expect(init.makeSnapshot).toBe(false);
      expect(runtime.current.fromSnapshot).toBe(restores);
    }
    // Only the failed restore produced a fresh snapshot to keep.
    expect(kept.map((k) => k.byteLength)).toEqual([32]);
  });

  it("sends the shipped harness with init and says how the worker started and where its time went", async () => {
    const logs: string[] = [];
    const workers: FakeWorker[] = [];
    const runtime = new PyodideRuntime({
      createWorker: () => {
        const worker = new FakeWorker((message, w) => {
          if (message.type !== "init") return;
          w.send({
            type: "ready", python: "3.14.2", loadMs: 700, fromSnapshot: false, path: "stale", harnessLoaded: true,
            phases: { importMs: 10, interpreterMs: 500, harnessMs: 150, snapshotMs: 20 },
          });
        });
        workers.push(worker);
        return worker;
      },
      indexURL: "/pyodide/",
      isolated: false,
      initialSnapshot: async () => new ArrayBuffer(8),
      harness: async () => HARNESS,
      onLog: (text) => logs.push(text),
    });
    await runtime.start();
    const init = workers[0].received[0] as Extract<ToWorker, { type: "init" }>;
    expect(init.harness).toBe(HARNESS);
    expect(init.snapshot?.byteLength).toBe(8);
    expect(runtime.current.startPath).toBe("stale");
    expect(runtime.current.fromSnapshot).toBe(false);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^Pyodide ready in \d+ ms, booted \(the kept snapshot was stale\) with the harness loaded: /);
    expect(logs[0]).toContain("interpreter 500 ms, harness 150 ms, snapshot 20 ms");
  });

  it("boots without a harness or a kept snapshot when fetching them fails", async () => {
    const workers: FakeWorker[] = [];
    const runtime = new PyodideRuntime({
      createWorker: () => {
        const worker = new FakeWorker(scripted(healthyRun));
        workers.push(worker);
        return worker;
      },
      indexURL: "/pyodide/",
      isolated: false,
      initialSnapshot: () => Promise.reject(new Error("404")),
      harness: () => Promise.reject(new Error("404")),
    });
    await runtime.start();
    expect(workers[0].received[0]).toMatchObject({ type: "init", snapshot: null, harness: null, makeSnapshot: true });
    expect(runtime.current.startPath).toBe("fresh");
  });

  it("hands a new snapshot on only once no run is in progress or waiting", async () => {
    const kept: ArrayBuffer[] = [];
    let finishRun: (() => void) | null = null;
    const workers: FakeWorker[] = [];
    const runtime = new PyodideRuntime({
      createWorker: () => {
        const worker = new FakeWorker((message, w) => {
          if (message.type === "init") {
            w.send({ type: "ready", python: "3.14.2", loadMs: 1, fromSnapshot: false, snapshot: new ArrayBuffer(64) });
          } else {
            finishRun = () => healthyRun(message, w);
          }
        });
        workers.push(worker);
        return worker;
      },
      indexURL: "/pyodide/",
      isolated: false,
      onSnapshot: (snapshot) => kept.push(snapshot),
    });
    const first = runtime.run(params(1));
    await vi.advanceTimersByTimeAsync(SNAPSHOT_IDLE_MS * 4);
    expect(kept).toEqual([]); // the first run is still going: its result comes first
    finishRun!();
    await first;
    await vi.advanceTimersByTimeAsync(SNAPSHOT_IDLE_MS);
    expect(kept.map((k) => k.byteLength)).toEqual([64]);
  });

  it("hands a snapshot not yet passed on over when disposed", async () => {
    const kept: ArrayBuffer[] = [];
    const runtime = new PyodideRuntime({
      createWorker: () =>
        new FakeWorker((message, w) => {
          if (message.type === "init") w.send({ type: "ready", python: "3.14.2", loadMs: 1, fromSnapshot: false, snapshot: new ArrayBuffer(48) });
        }),
      indexURL: "/pyodide/",
      isolated: false,
      onSnapshot: (snapshot) => kept.push(snapshot),
    });
    await runtime.start();
    expect(kept).toEqual([]);
    runtime.dispose();
    expect(kept.map((k) => k.byteLength)).toEqual([48]);
    await vi.advanceTimersByTimeAsync(SNAPSHOT_IDLE_MS * 2);
    expect(kept).toHaveLength(1); // once only
  });

  it("describes a restored start", () => {
    expect(describeStart("restored", 312.4, 40, undefined, true)).toBe(
      "Pyodide ready in 312 ms, restored from the kept snapshot with the harness loaded: fetching the snapshot and harness 40 ms",
    );
  });

  it("runs jobs one after another", async () => {
    const order: number[] = [];
    const { runtime } = makeRuntime(
      scripted((run, worker) => {
        order.push(run.id);
        setTimeout(() => healthyRun(run, worker), 50);
      }),
      true,
    );
    const a = runtime.run(params(1));
    const b = runtime.run(params(1));
    await vi.advanceTimersByTimeAsync(200);
    await Promise.all([a, b]);
    expect(order).toEqual([1, 2]);
  });
});
