/**
 * The `pytrix/runTests` contract (server -> client) and its validation.
 *
 * The server sends `{request, harness, testTimeout, runTimeout}` when the
 * `pytrix.runtime` setting is "pyodide" and the client advertised
 * `{"runtimes": ["pyodide"]}`; the client answers with the harness events
 * plus the tests it had to stop. Plain TypeScript: no `vscode` import, so
 * vitest and the webview both use it.
 */

/** One harness test as the server builds it (arguments are Python literal source). */
export interface HarnessTest {
  index: number;
  [key: string]: unknown;
}

/** The harness request (protocol `pytrix-run` version 1). */
export interface HarnessRequest {
  protocol: number;
  filename?: string;
  code: string;
  kind?: string;
  entry?: string;
  tests: HarnessTest[];
  limits?: Record<string, number>;
  [key: string]: unknown;
}

export interface RunTestsParams {
  request: HarnessRequest;
  harness: string;
  /** Seconds each test may take. */
  testTimeout: number;
  /** Seconds the whole run may take (not counting Pyodide's start-up). */
  runTimeout: number;
}

/** One event as the harness emits it: `{"event": "ready" | "module" | "begin" | "test" | ...}`. */
export type HarnessEvent = Record<string, unknown> & { event: string };

export interface RunTestsResult {
  events: HarnessEvent[];
  /** Test index -> the limit in seconds it ran into. */
  timedOut: Record<string, number>;
  /** Test index -> what stopped it (the runtime died, or the learner pressed Stop). */
  crashed: Record<string, string>;
  pythonVersion: string;
  durationMs: number;
  /** Set when the file itself could not be loaded (for example an endless loop at the top level). */
  moduleFailure?: string;
}

/**
 * The answer as it crosses the wire to the server. `timedOut` and `crashed`
 * travel as lists of records: pygls turns a JSON object's keys into attribute
 * names, so a map keyed by test index ("0") would reach the server as "_0".
 */
export interface RunTestsWireResult {
  events: HarnessEvent[];
  timedOut: { index: number; seconds: number }[];
  crashed: { index: number; message: string }[];
  pythonVersion: string;
  durationMs: number;
  moduleFailure?: string;
}

/** Turn the runtime's result (maps keyed by test index) into the wire shape. */
export function toWireResult(result: RunTestsResult): RunTestsWireResult {
  const wire: RunTestsWireResult = {
    events: result.events,
    timedOut: Object.entries(result.timedOut).map(([index, seconds]) => ({ index: Number(index), seconds })),
    crashed: Object.entries(result.crashed).map(([index, message]) => ({ index: Number(index), message })),
    pythonVersion: result.pythonVersion,
    durationMs: result.durationMs,
  };
  if (result.moduleFailure !== undefined) wire.moduleFailure = result.moduleFailure;
  return wire;
}

export class InvalidParams extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function positiveSeconds(value: unknown, name: string, max: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > max) {
    throw new InvalidParams(`pytrix/runTests: '${name}' must be a number of seconds in (0, ${max}]`);
  }
  return value;
}

/** Check the params of a `pytrix/runTests` request; throws {@link InvalidParams} with a reason. */
export function parseRunTestsParams(raw: unknown): RunTestsParams {
  if (!isRecord(raw)) {
    throw new InvalidParams("pytrix/runTests: params must be an object");
  }
  const { request, harness } = raw;
  if (typeof harness !== "string" || !harness.includes("def run_request")) {
    throw new InvalidParams("pytrix/runTests: 'harness' must be the source of harness.py (with run_request)");
  }
  if (!isRecord(request)) {
    throw new InvalidParams("pytrix/runTests: 'request' must be the harness request object");
  }
  if (typeof request.code !== "string") {
    throw new InvalidParams("pytrix/runTests: 'request.code' must be a string");
  }
  if (!Array.isArray(request.tests)) {
    throw new InvalidParams("pytrix/runTests: 'request.tests' must be a list");
  }
  for (const test of request.tests) {
    if (!isRecord(test) || typeof test.index !== "number" || !Number.isInteger(test.index) || test.index < 0) {
      throw new InvalidParams("pytrix/runTests: every test needs a non-negative integer 'index'");
    }
  }
  return {
    request: request as HarnessRequest,
    harness,
    testTimeout: positiveSeconds(raw.testTimeout, "testTimeout", 600),
    runTimeout: positiveSeconds(raw.runTimeout, "runTimeout", 3600),
  };
}

/** Parse one event line from the worker; `null` when it is not a harness event. */
export function parseEvent(text: unknown): HarnessEvent | null {
  if (typeof text !== "string") {
    return null;
  }
  try {
    const value: unknown = JSON.parse(text);
    if (isRecord(value) && typeof value.event === "string") {
      return value as HarnessEvent;
    }
  } catch {
    return null;
  }
  return null;
}

/** Check a result before it is sent to the server (it crossed the webview boundary). */
export function isRunTestsResult(value: unknown): value is RunTestsResult {
  if (!isRecord(value)) {
    return false;
  }
  if (!Array.isArray(value.events) || !value.events.every((e) => isRecord(e) && typeof e.event === "string")) {
    return false;
  }
  if (!isRecord(value.timedOut) || !Object.values(value.timedOut).every((v) => typeof v === "number")) {
    return false;
  }
  if (!isRecord(value.crashed) || !Object.values(value.crashed).every((v) => typeof v === "string")) {
    return false;
  }
  if (value.moduleFailure !== undefined && typeof value.moduleFailure !== "string") {
    return false;
  }
  return typeof value.pythonVersion === "string" && typeof value.durationMs === "number";
}
