/**
 * The practice webview's script: buttons, the question, per-test results, the
 * output console, the runtime status line, and the Pyodide runtime that runs
 * `pytrix/runTests` jobs for the server.
 */

import { parseToPractice, SANDBOX_FOOTER, testDetails, testHeading, type FromPractice, type PracticeAction, type RunSummary, type TestRow } from "../lib/messages";
import { PyodideRuntime, type RuntimeStatus } from "../lib/pyodideRuntime";
import { InvalidParams, parseRunTestsParams } from "../lib/runTests";
import { describeAhead, fetchAhead, panelFiles, type AheadFile } from "../lib/fetchAhead";
import { browserCaches, PageCache, snapshotKey, webDigest } from "../lib/pageCache";
import { blobWorkerFactory } from "./workerFactory";

declare function acquireVsCodeApi(): { postMessage(message: FromPractice): void };

const vscode = acquireVsCodeApi();
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const buttons: Record<string, HTMLButtonElement> = {
  run: $("run"),
  stop: $("stop"),
  hint: $("hint"),
  submit: $("submit"),
};
const consoleText = $("console");
const workerUrl = document.body.dataset.worker ?? "";
const pyodideUrl = document.body.dataset.pyodide ?? "";
const snapshotUrl = document.body.dataset.snapshot ?? "";
/**
 * "pending": the host offered the kept snapshot before checking its checksum, and sends
 * the verdict ("snapshotVerdict"); the worker restores nothing before it (lib/snapshotVerdict.ts).
 */
const verdictPending = snapshotUrl !== "" && document.body.dataset.verdict === "pending";
let giveVerdict: (good: boolean) => void = () => undefined;
const snapshotVerdict = verdictPending ? new Promise<boolean>((resolve) => (giveVerdict = resolve)) : undefined;
const harnessUrl = document.body.dataset.harness ?? "";
const startsWithPage = document.body.dataset.runtime === "pyodide";
/** URL to key of the files this page's origin may keep in its cache (lib/pageCache.ts), when the host uses it. */
const cacheFiles = parseCacheFiles(document.body.dataset.cache);

function parseCacheFiles(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null) return undefined;
    return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
  } catch {
    return undefined;
  }
}

/**
 * Keep the snapshot the host has just kept in the page's cache too, under the host's key (the
 * SHA-256 of its bytes), once these bytes are checked to be those (a replacement may have taken
 * another since); other snapshots there are removed. The report names this page's other keys too.
 */
function keepSnapshotInCache(key: string): void {
  const snapshot = runtime?.keptSnapshot;
  if (!cacheFiles || !snapshot) return;
  const log = (text: string) => send({ type: "log", text });
  const cache = new PageCache(browserCaches(), new Map(), log);
  if (!cache.available) return;
  void webDigest(snapshot).then(async (digest) => {
    if (snapshotKey(digest) !== key) {
      log("the page's snapshot is not the one the host kept: not kept in the page's cache");
      return;
    }
    const keys = await cache.keep([{ key, data: snapshot }], new Set([key]), new Set([...Object.values(cacheFiles), key]));
    if (!keys.includes(key)) return; // not stored (the problem is logged)
    log("kept the new snapshot in the page's cache");
    send({ type: "cached", keys });
  });
}

/** Left by the head's inline script (lib/fetchAhead.ts fetchAheadScript), which takes the files the host posts. */
const early = globalThis as { pytrixAhead?: Map<string, Promise<AheadFile>>; pytrixAheadAt?: number };

/**
 * In the Pyodide runtime, every file the first worker needs is fetched all at once
 * (lib/fetchAhead.ts): the worker script, the harness, the kept snapshot and Pyodide's files;
 * from the head's script when there is one, else from here.
 */
const scriptRan = performance.now(); // since the page began loading
const ahead = startsWithPage
  ? (early.pytrixAhead ?? fetchAhead(fetch, panelFiles({ worker: workerUrl, harness: harnessUrl, snapshot: snapshotUrl, pyodide: pyodideUrl })))
  : new Map<string, Promise<AheadFile>>();
const aheadAt = early.pytrixAhead && early.pytrixAheadAt !== undefined ? early.pytrixAheadAt : scriptRan;
if (ahead.size) {
  void Promise.all(ahead.values()).then((files) =>
    send({
      type: "log",
      text: `${describeAhead(files)} (fetching from ${aheadAt.toFixed(0)} ms after the page began loading${early.pytrixAhead ? ", by the head's script" : ""}; its script ran at ${scriptRan.toFixed(0)} ms)`,
    }),
  );
}

/** Take one file the page fetched ahead (its bytes, null when it failed), or undefined when it was not. */
function takeAhead(url: string): Promise<ArrayBuffer | null> | undefined {
  const file = ahead.get(url);
  ahead.delete(url);
  return file?.then((f) => f.data);
}

/** The harness shipped with the extension, loaded into a fresh interpreter before its snapshot. */
async function shippedHarness(): Promise<string | null> {
  if (!harnessUrl) return null;
  const early = await takeAhead(harnessUrl);
  if (early) return new TextDecoder().decode(early);
  const response = await fetch(harnessUrl);
  return response.ok ? response.text() : null;
}

let runtime: PyodideRuntime | null = null;
let runtimePromise: Promise<PyodideRuntime> | null = null;
let busyAction: PracticeAction | null = null;
let pyodideRunning = false;

function send(message: FromPractice): void {
  vscode.postMessage(message);
}

function print(text: string, kind: "info" | "error" = "info"): void {
  const line = document.createElement("span");
  line.className = kind;
  line.textContent = text.endsWith("\n") ? text : `${text}\n`;
  consoleText.append(line);
  while (consoleText.childNodes.length > 500) consoleText.firstChild?.remove();
  consoleText.scrollTop = consoleText.scrollHeight;
}

function updateButtons(): void {
  const busy = busyAction !== null;
  buttons.run.disabled = busy;
  buttons.hint.disabled = busy;
  buttons.submit.disabled = busy;
  buttons.stop.disabled = !(busy || pyodideRunning);
}

function showStatus(status: RuntimeStatus): void {
  const parts = [`Pyodide: ${status.state}`];
  if (status.python) parts.push(`Python ${status.python}`);
  if (status.loadMs !== undefined) {
    parts.push(`loaded in ${(status.loadMs / 1000).toFixed(2)} s${status.fromSnapshot ? " from a snapshot" : ""}`);
  }
  if (status.lastRunMs !== undefined) parts.push(`last run ${status.lastRunMs.toFixed(1)} ms`);
  parts.push(status.stopMode === "interrupt" ? "stops by interrupt" : "stops by restarting the worker");
  if (status.lastInterruptMs !== undefined) parts.push(`last interrupt ${status.lastInterruptMs.toFixed(1)} ms`);
  if (status.lastRecoveryMs !== undefined) parts.push(`last restart ${(status.lastRecoveryMs / 1000).toFixed(2)} s`);
  if (status.message) parts.push(status.message);
  const footer = $("runtime");
  footer.textContent = parts.join(" · ");
  footer.dataset.state = status.state;
  pyodideRunning = status.state === "running";
  updateButtons();
  send({ type: "runtimeStatus", status });
}

function ensureRuntime(): Promise<PyodideRuntime> {
  if (runtime) return Promise.resolve(runtime);
  if (!runtimePromise) {
    const workerScript = takeAhead(workerUrl);
    runtimePromise = blobWorkerFactory(workerUrl, workerScript).then((createWorker) => {
      runtime = new PyodideRuntime({
        createWorker,
        indexURL: pyodideUrl,
        isolated: globalThis.crossOriginIsolated === true,
        onStatus: showStatus,
        onLog: (text) => send({ type: "log", text }),
        // The interpreter snapshot kept from an earlier session (if the host has one): the worker fetches it.
        snapshotUrl: snapshotUrl || undefined,
        snapshotVerdict,
        harness: shippedHarness,
        // The rest of the files fetched ahead go to the first worker.
        ahead: new Map([...ahead].filter(([url]) => url !== harnessUrl)),
        ...(cacheFiles ? { cache: cacheFiles, onCached: (keys: string[]) => send({ type: "cached", keys }) } : {}),
        // Keep a fresh interpreter's snapshot for the next session (a copy: the runtime keeps its own).
        onSnapshot: (snapshot) => send({ type: "snapshot", data: new Uint8Array(snapshot.slice(0)) }),
      });
      showStatus(runtime.current);
      return runtime;
    });
    runtimePromise.catch((error) => {
      runtimePromise = null;
      print(`Pyodide is unavailable: ${String(error)}`, "error");
    });
  }
  return runtimePromise;
}

function cell(tag: string, className: string, text: string): HTMLElement {
  const el = document.createElement(tag);
  el.className = className;
  el.textContent = text;
  return el;
}

function renderTest(test: TestRow): HTMLElement {
  const item = document.createElement("li");
  item.className = `test ${test.status}${test.own ? " own" : ""}`;
  const head = cell("div", "head", testHeading(test));
  if (test.duration_ms !== undefined) head.append(cell("span", "duration", ` ${test.duration_ms.toFixed(1)} ms`));
  item.append(head);
  for (const line of testDetails(test)) item.append(cell("div", line.kind, line.text));
  if (test.stdout) item.append(cell("pre", "stdout", test.stdout));
  return item;
}

function showResults(summary: RunSummary, label: string): void {
  $("results-title").textContent = label;
  const parts = [`${summary.passed}/${summary.total} passed`];
  if (summary.backend) parts.push(`on ${summary.backend}`);
  if (summary.python) parts.push(`Python ${summary.python}`);
  if (summary.duration_ms !== undefined) parts.push(`${summary.duration_ms.toFixed(0)} ms`);
  const summaryEl = $("summary");
  summaryEl.textContent = parts.join(" · ");
  summaryEl.dataset.status = summary.status;
  const list = $("tests");
  list.replaceChildren(...summary.tests.map(renderTest));
  const error = summary.compile_error ?? summary.module_error;
  if (error) {
    print(`${error.type}: ${error.message}${error.line ? ` (line ${error.line})` : ""}`, "error");
  }
  if (summary.message) print(summary.message, summary.status === "passed" ? "info" : "error");
  if (summary.module_stdout) print(summary.module_stdout);
  for (const test of summary.tests) {
    if (test.stdout) print(`[${test.call}] ${test.stdout}`);
  }
}

async function runTests(id: number, rawParams: unknown): Promise<void> {
  try {
    const params = parseRunTestsParams(rawParams);
    const rt = await ensureRuntime();
    const result = await rt.run(params);
    send({ type: "runTestsResult", id, result });
    // The server grades; here the console notes what ran and what the code printed.
    const tests = result.events.filter((e) => e.event === "test");
    const stopped = Object.keys(result.timedOut).length + Object.keys(result.crashed).length;
    print(
      `Ran ${tests.length} test${tests.length === 1 ? "" : "s"} in Pyodide (${result.durationMs.toFixed(1)} ms)` +
        `${stopped ? `, ${stopped} stopped` : ""}${result.moduleFailure ? ` — ${result.moduleFailure}` : ""}.`,
    );
    for (const event of result.events) {
      if (typeof event.stdout === "string" && event.stdout) print(event.stdout);
    }
  } catch (error) {
    const message = error instanceof InvalidParams ? error.message : `Pyodide could not run the tests: ${String(error)}`;
    print(message, "error");
    send({ type: "runTestsError", id, message });
  }
}

window.addEventListener("message", (event: MessageEvent) => {
  const message = parseToPractice(event.data);
  if (message === null) return;
  switch (message.type) {
    case "question": {
      const question = $("question");
      question.innerHTML = message.html; // rendered by markdown-it with raw HTML disabled
      $("file").textContent = message.file ?? "";
      break;
    }
    case "results":
      showResults(message.summary, message.label);
      break;
    case "output":
      print(message.text, message.kind ?? "info");
      break;
    case "busy":
      busyAction = message.action;
      updateButtons();
      break;
    case "runTests":
      void runTests(message.id, message.params);
      break;
    case "stop":
      runtime?.stop();
      break;
    case "snapshotVerdict":
      if (message.url === snapshotUrl) giveVerdict(message.good);
      break;
    case "snapshotKept":
      keepSnapshotInCache(message.key);
      break;
    case "aheadFile":
      break; // taken by the head's script (lib/fetchAhead.ts)
    case "configure":
      if (message.runtime === "pyodide") {
        void ensureRuntime().then((rt) => rt.start()).catch(() => undefined);
      } else if (!runtime) {
        const footer = $("runtime");
        footer.textContent = SANDBOX_FOOTER;
        footer.dataset.state = "sandbox";
      }
      break;
  }
});

for (const [name, button] of Object.entries(buttons)) {
  button.addEventListener("click", () => {
    if (name === "stop") runtime?.stop();
    send({ type: "action", action: name as PracticeAction });
  });
}
updateButtons();
send({ type: "ready" });
// In the Pyodide runtime, start the interpreter with the page, not at the first run.
if (startsWithPage) void ensureRuntime().then((rt) => rt.start()).catch(() => undefined);
