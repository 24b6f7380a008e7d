/** A scripted stand-in for the Pyodide worker, for the runtime's unit tests. */

import type { WorkerLike } from "../src/lib/pyodideRuntime";
import type { ToWorker } from "../src/lib/workerProtocol";

/** What a script sees: "init" and "run" (files fetched ahead and snapshot verdicts are only recorded, in `received`). */
export type Script = (message: Exclude<ToWorker, { type: "file" | "snapshotVerdict" }>, worker: FakeWorker) => void;

export class FakeWorker implements WorkerLike {
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  terminated = false;
  received: ToWorker[] = [];
  control: SharedArrayBuffer | null = null;

  constructor(private readonly script: Script) {}

  postMessage(message: ToWorker): void {
    this.received.push(message);
    if (message.type === "file" || message.type === "snapshotVerdict") return;
    if (message.type === "init") this.control = message.control;
    queueMicrotask(() => this.script(message, this));
  }

  terminate(): void {
    this.terminated = true;
  }

  send(data: unknown): void {
    if (!this.terminated) this.onmessage?.({ data });
  }

  /** Harness events for a run, as the worker streams them. */
  events(id: number, events: Record<string, unknown>[]): void {
    for (const event of events) this.send({ type: "event", id, event: JSON.stringify(event) });
  }

  get interrupt(): number {
    return this.control ? new Int32Array(this.control)[0] : -1;
  }

  get abort(): number {
    return this.control ? new Int32Array(this.control)[1] : -1;
  }
}

export function testEvent(index: number, value = "x"): Record<string, unknown>[] {
  return [
    { event: "begin", index },
    { event: "test", index, outcome: "returned", value: ["str", value], stdout: "", duration_ms: 0.1 },
  ];
}
