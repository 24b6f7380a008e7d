/**
 * Messages between the extension host and its webviews, with validators.
 *
 * A webview is untrusted input: the host accepts only the message shapes
 * below and drops anything else (reporting it in the log). The webviews
 * check what the host sends them the same way.
 */

import { isRunTestsResult, type RunTestsParams, type RunTestsResult } from "./runTests";
import type { RuntimeStatus } from "./pyodideRuntime";
import type { DashboardData } from "./dashboard";
import type { ErrorReport, RunReport } from "../generated/protocol";
import { isKey } from "./pageCache";

export const PRACTICE_ACTIONS = ["run", "stop", "hint", "submit", "reveal", "showQuestion"] as const;
export type PracticeAction = (typeof PRACTICE_ACTIONS)[number];

/** Practice webview -> host. */
export type FromPractice =
  | { type: "ready" }
  | { type: "action"; action: PracticeAction }
  | { type: "runtimeStatus"; status: RuntimeStatus }
  | { type: "runTestsResult"; id: number; result: RunTestsResult }
  | { type: "runTestsError"; id: number; message: string }
  | { type: "log"; text: string }
  | { type: "snapshot"; data: Uint8Array }
  /** Every key the page origin's cache holds (lib/pageCache.ts), after the page kept files there. */
  | { type: "cached"; keys: string[] };

/** Bounds for a Pyodide memory snapshot sent to be kept for the next session. */
export const SNAPSHOT_MIN_BYTES = 1 << 20;
export const SNAPSHOT_MAX_BYTES = 256 << 20;
/** The most keys a page may report its cache holding (Pyodide's files and a snapshot, with room to spare). */
export const MAX_CACHED_KEYS = 32;

/** The practice panel's footer when tests run in the server's sandbox (the default runtime). */
export const SANDBOX_FOOTER =
  'Tests run in the local sandbox, with your Python. To run them here in Pyodide instead, set "pytrix.runtime": "pyodide" in your settings.';

/** One test of a graded run, as the panel shows it. */
export interface TestRow {
  index: number;
  call: string;
  status: string;
  hidden?: boolean;
  expected?: string | null;
  actual?: string | null;
  stdout?: string;
  message?: string;
  /** Why the test fails, in one plain sentence (when the server found a cause). */
  explanation?: string;
  duration_ms?: number;
  /** The learner's own test (a `# test:` line of the file): shown as theirs, never counted. */
  own?: boolean;
  /** An own test's `# test:` line (1-based). */
  line?: number | null;
}

/** A test row's heading: its status icon and call, marked "yours" for the learner's own tests. */
export function testHeading(test: TestRow): string {
  const icon = test.status === "passed" ? "✓" : test.status === "timeout" ? "⏱" : test.status === "not_run" ? "·" : "✗";
  const own = test.own ? ` — yours${test.line ? ` (line ${test.line})` : ""}` : "";
  return `${icon} ${test.hidden ? "hidden test" : test.call}${own}`;
}

/**
 * The lines the panel shows under a failing test: the cause (or the message),
 * then the expected and actual values once each. The server's message repeats
 * "expected X, got Y", so it is left out when the values are shown below it.
 */
export function testDetails(test: TestRow): { kind: "message" | "expected" | "actual"; text: string }[] {
  if (test.status === "passed") return [];
  const lines: { kind: "message" | "expected" | "actual"; text: string }[] = [];
  const values = !test.hidden && test.expected != null && test.actual != null;
  const plain = test.message && !(values && /^expected .*, got /s.test(test.message)) ? test.message : "";
  const message = test.explanation || plain;
  if (message) lines.push({ kind: "message", text: message });
  if (!test.hidden && test.expected != null) lines.push({ kind: "expected", text: `expected: ${test.expected}` });
  if (!test.hidden && test.actual != null) lines.push({ kind: "actual", text: `got:      ${test.actual}` });
  return lines;
}

export interface RunSummary {
  status: string;
  passed: number;
  total: number;
  tests: TestRow[];
  message?: string;
  backend?: string;
  python?: string | null;
  duration_ms?: number;
  module_stdout?: string;
  compile_error?: { type: string; message: string; line?: number | null } | null;
  module_error?: { type: string; message: string; line?: number | null } | null;
}

/** Host -> practice webview. */
export type ToPractice =
  | { type: "question"; questionId: string | null; title: string; html: string; file: string | null }
  | { type: "results"; summary: RunSummary; label: string }
  | { type: "output"; text: string; kind?: "info" | "error" }
  | { type: "busy"; action: PracticeAction | null }
  | { type: "runTests"; id: number; params: RunTestsParams }
  | { type: "stop" }
  | { type: "configure"; runtime: "pyodide" | "subprocess" }
  /** The verdict on the checksum of the kept snapshot offered at `url` before it was checked (false: damaged). */
  | { type: "snapshotVerdict"; url: string; good: boolean }
  /** One file's bytes for the page's head script, instead of its fetch (lib/fetchAhead.ts; null: the host could not read it). */
  | { type: "aheadFile"; url: string; data: Uint8Array | null }
  /** The host kept the page's new snapshot under this key: the page keeps it in its cache too (lib/pageCache.ts). */
  | { type: "snapshotKept"; key: string };

/** Host -> dashboard webview. */
export type ToDashboard = { type: "data"; data: DashboardData; generatedAt: string } | { type: "error"; message: string };
/** Dashboard webview -> host. */
export type FromDashboard = { type: "ready" } | { type: "refresh" };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const RUNTIME_STATES = new Set(["idle", "loading", "ready", "running", "restarting", "failed"]);

function isRuntimeStatus(value: unknown): value is RuntimeStatus {
  if (!isRecord(value) || typeof value.state !== "string" || !RUNTIME_STATES.has(value.state)) return false;
  if (typeof value.isolated !== "boolean") return false;
  if (value.stopMode !== "interrupt" && value.stopMode !== "terminate") return false;
  for (const key of ["loadMs", "lastRunMs", "lastInterruptMs", "lastRecoveryMs"]) {
    if (value[key] !== undefined && typeof value[key] !== "number") return false;
  }
  for (const key of ["python", "message"]) {
    if (value[key] !== undefined && typeof value[key] !== "string") return false;
  }
  return true;
}

function isId(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0;
}

/** Validate a message from the practice webview; `null` means drop it. */
export function parseFromPractice(data: unknown): FromPractice | null {
  if (!isRecord(data) || typeof data.type !== "string") return null;
  switch (data.type) {
    case "ready":
      return { type: "ready" };
    case "action":
      return typeof data.action === "string" && (PRACTICE_ACTIONS as readonly string[]).includes(data.action)
        ? { type: "action", action: data.action as PracticeAction }
        : null;
    case "runtimeStatus":
      return isRuntimeStatus(data.status) ? { type: "runtimeStatus", status: data.status } : null;
    case "runTestsResult":
      return isId(data.id) && isRunTestsResult(data.result) ? { type: "runTestsResult", id: data.id, result: data.result } : null;
    case "runTestsError":
      return isId(data.id) && typeof data.message === "string"
        ? { type: "runTestsError", id: data.id, message: data.message.slice(0, 2000) }
        : null;
    case "log":
      return typeof data.text === "string" ? { type: "log", text: data.text.slice(0, 10_000) } : null;
    case "cached":
      return Array.isArray(data.keys) && data.keys.length <= MAX_CACHED_KEYS && data.keys.every(isKey) ? { type: "cached", keys: data.keys } : null;
    case "snapshot": {
      const bytes = data.data instanceof Uint8Array ? data.data : data.data instanceof ArrayBuffer ? new Uint8Array(data.data) : null;
      return bytes && bytes.byteLength >= SNAPSHOT_MIN_BYTES && bytes.byteLength <= SNAPSHOT_MAX_BYTES ? { type: "snapshot", data: bytes } : null;
    }
    default:
      return null;
  }
}

export function parseFromDashboard(data: unknown): FromDashboard | null {
  if (!isRecord(data)) return null;
  if (data.type === "ready" || data.type === "refresh") return { type: data.type };
  return null;
}

/** Validate a message from the host in the practice webview. */
export function parseToPractice(data: unknown): ToPractice | null {
  if (!isRecord(data) || typeof data.type !== "string") return null;
  switch (data.type) {
    case "question":
      return typeof data.html === "string" && typeof data.title === "string" ? (data as ToPractice) : null;
    case "results":
      return isRecord(data.summary) && Array.isArray(data.summary.tests) && typeof data.label === "string" ? (data as ToPractice) : null;
    case "output":
      return typeof data.text === "string" ? (data as ToPractice) : null;
    case "busy":
      return data.action === null || (typeof data.action === "string" && (PRACTICE_ACTIONS as readonly string[]).includes(data.action))
        ? (data as ToPractice)
        : null;
    case "runTests":
      return isId(data.id) && isRecord(data.params) ? (data as ToPractice) : null;
    case "stop":
      return { type: "stop" };
    case "configure":
      return data.runtime === "pyodide" || data.runtime === "subprocess" ? (data as ToPractice) : null;
    case "snapshotVerdict":
      return typeof data.url === "string" && typeof data.good === "boolean" ? { type: "snapshotVerdict", url: data.url, good: data.good } : null;
    case "snapshotKept":
      return isKey(data.key) ? { type: "snapshotKept", key: data.key } : null;
    case "aheadFile":
      return typeof data.url === "string" && (data.data === null || data.data instanceof Uint8Array)
        ? { type: "aheadFile", url: data.url, data: data.data }
        : null;
    default:
      return null;
  }
}

/** A graded run result (`pytrix.runTests` / `pytrix.submit`) as the panel's summary; `null` if it is not one. */
export function summariseRun(run: RunReport | null | undefined): RunSummary | null {
  if (!run || typeof run.status !== "string" || !Array.isArray(run.tests)) return null;
  const tests: TestRow[] = run.tests.map((t) => ({
    index: t.index,
    call: t.call,
    status: t.status,
    hidden: t.hidden,
    expected: t.expected,
    actual: t.actual,
    stdout: t.stdout,
    message: t.message,
    explanation: t.explanation ?? undefined,
    duration_ms: t.durationMs,
    ...(t.own ? { own: true, line: t.line } : {}),
  }));
  const error = (value: ErrorReport | null) => (value ? { type: value.type, message: value.message, line: value.line } : null);
  return {
    status: run.status,
    passed: run.passed,
    total: run.total,
    tests,
    message: run.message,
    backend: run.backend,
    python: run.python,
    duration_ms: run.durationMs,
    module_stdout: run.moduleStdout,
    compile_error: error(run.compileError),
    module_error: error(run.moduleError),
  };
}
