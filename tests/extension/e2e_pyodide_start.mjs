// Pyodide's start in a real VS Code (code-server 4.100 with the built .vsix),
// with "pytrix.runtime": "pyodide" from the first window on:
//
//   1. a fresh install opens a practice file: the practice panel opens beside
//      it and boots Python afresh (no snapshot yet), the server's first
//      pytrix/runTests is answered from Pyodide, and the panel keeps an
//      interpreter snapshot (with the harness loaded) in global storage;
//   2. a later window (code-server restarted on the same profile, the browser
//      reopened on its same profile, as a learner comes back) brings the panel
//      back with the window (its serializer; one panel, not a second) and
//      restores that snapshot (its bytes posted by the host with the HTML), offered with the page's HTML before its checksum is known and
//      restored once the host's verdict says it is good;
//   3. a damaged snapshot (a flipped byte) beside a stale one (another
//      harness's name) is never used: it passes the cheap checks (its size),
//      so it is offered, but the host's checksum verdict says damaged and
//      Python boots afresh; both are removed and a new snapshot is kept; the
//      tests still run. Then the panel is closed at once, and an edit's run
//      opens a new one, whose first run is graded from Pyodide with no
//      fall-back (a request still in flight when a webview closes left the
//      next one's page 30 s late, after the server had fallen back to the
//      sandbox). Then a panel is closed while its page is still loading: that
//      run, and the next (whose page VS Code may hold back 30 s), go to the
//      sandbox at once or at the page's 8 s limit, never after the server's
//      own wait. Last, so no later window finds the snapshot in the webview's
//      cache because of it.
// Each step checks which start path ran (the panel's log line), so a broken
// snapshot path fails here instead of falling back quietly.
//
// Usage: node e2e_pyodide_start.mjs PATH.vsix CODE_SERVER_BIN REPORT.json
// The report holds the steps and the figures (bench/pyodide_code_server.mjs
// prints them): the first result after a fresh install, and in a later window.
// A figure is the wait from Pyodide being needed (the panel opening, or the
// server's first pytrix/runTests if later) to the first result; the raw times
// are kept beside it. Screenshots and logs go to test-artifacts/vscode-pyodide/.

import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  BASE_SETTINGS,
  closeRun,
  e2eStart,
  installExtension,
  openWorkbench,
  outputLog,
  quickOpen,
  startCodeServer,
  stepLog,
  stopCodeServer,
  waitForLog,
  writeUserSettings,
} from "./code_server_kit.mjs";
import { CHROMIUM_ARGS, CHROMIUM, python, require } from "./support.mjs";

const { vsix, codeServer, reportPath, artifacts: ARTIFACTS, root, dirs, env } = e2eStart("e2e_pyodide_start.mjs", "vscode-pyodide", { report: true });

const QUESTION = "string-reversal.beginner";
const FILE = "reverse_string.py";
mkdirSync(join(dirs.workspace, "pytrix"), { recursive: true });
writeFileSync(join(dirs.workspace, "pytrix", FILE), `# pytrix: question=${QUESTION}\ndef reverse_string(s: str) -> str:\n    return s[::-1]\n`);

writeUserSettings(dirs.userData, { ...BASE_SETTINGS, "pytrix.server.python": python(), "pytrix.runtime": "pyodide", "pytrix.debounceMs": 150 });
const storage = join(dirs.userData, "User", "globalStorage", "pytrix.pytrix");

const log = stepLog();
const step = log.step;
const report = { steps: log.steps, figures: {}, windows: [] };

const FIRST_RESULT = /\[pyodide\] first result (\d+) ms after its request, (\d+) ms after the panel opened \(start: (\w+); ([^)]*)\)/g;
const READY = /\[pyodide\] (Pyodide ready in .*)/g;
const KEPT = /\[pyodide\] kept an interpreter snapshot/g;
// The page's own cache (web VS Code, src/lib/pageCache.ts): the files a start used, and the new snapshot.
const CACHE_KEPT_FILES = /\[pyodide\] kept in the page's cache: (.*)/g;
const CACHE_KEPT_SNAPSHOT = /\[pyodide\] kept the new snapshot in the page's cache/g;
const FROM_CACHE = /\[pyodide\] from the page's cache: (.*)/g;
const pageCacheRecord = () => {
  const file = join(storage, "page-cache.json");
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")).keys : [];
};
const VERDICT_GOOD = /\[pyodide\] the host's checksum verdict on the kept snapshot: good/g;
const VERDICT_DAMAGED = /\[pyodide\] the host's checksum verdict on the kept snapshot: damaged/g;
const count = (regex) => [...outputLog(dirs.userData).matchAll(regex)].length;
const serverLog = () => (existsSync(join(dirs.pytrixHome, "server.log")) ? readFileSync(join(dirs.pytrixHome, "server.log"), "utf8") : "");
const snapshots = () => (existsSync(storage) ? readdirSync(storage).filter((name) => name.endsWith(".snapshot")).sort() : []);

let codeServerProc;
let port;
// Each window is the browser opened on one profile (its storage, service workers and caches carry
// over, as in a learner's browser) and closed after; the first window starts it empty.
const PROFILE = join(root, "browser-profile");
let context;
const browser = { contexts: () => (context ? [context] : []), close: async () => context?.close() };

/** Graded-run lines in the server's own log since `offset` (each line written as it happens). */
const gradedSince = (offset) => serverLog().slice(offset).match(/graded a run of \S+ from \w+/g) ?? [];

/** Wait until the server's log holds `n` graded runs since `offset` (polling the file, as waitForLog does). */
async function waitGraded(offset, n, what) {
  const end = Date.now() + 120_000;
  while (gradedSince(offset).length < n) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Close the practice panel as soon as the new snapshot is kept, then edit and save the file:
 * the server's run opens a new panel. Its first result, and how the runs since were graded.
 * VS Code may hold the new page back (30 s after another webview closed): then that run went to
 * the sandbox at the page's 8 s limit (`heldBack`), and a save once the page is up gives the
 * panel's first result.
 */
async function closeThenRun(page) {
  const practiceTab = page.locator(".tabs-container .tab", { hasText: "Pytrix Practice" }).first();
  await practiceTab.click();
  await page.keyboard.press("Control+W");
  await practiceTab.waitFor({ state: "detached" });
  const results = count(FIRST_RESULT);
  const offset = serverLog().length;
  await editAndSave(page, "\n# again\n");
  await waitGraded(offset, 1, "the run after closing the panel");
  const late = [...serverLog().slice(offset).matchAll(/client runtime failed, using the sandbox: (.*)/g)].map((m) => m[1]);
  const heldBack = late.length > 0 && late.every((r) => /page was not up 8 s after the panel opened/.test(r));
  if (heldBack) {
    await waitForLog(dirs.userData, /\[practice\] the panel's page came up late/g, 0, 120_000, "the held-back page");
    await editAndSave(page, "# once the page is up\n");
  }
  const [line] = await waitForLog(dirs.userData, FIRST_RESULT, results, 120_000, "the new panel's first result");
  const text = serverLog().slice(offset);
  const graded = gradedSince(offset);
  const pyodideOnly = graded.length > 0 && graded.every((g) => g.endsWith("from pyodide")) && late.length === 0;
  return { line, graded, late, heldBack, fromPyodideOnly: pyodideOnly, text };
}

/** Add text to the practice file in one change, unsaved: one run (no keystroke's run to supersede it). */
async function editOnce(page, text) {
  await page.locator(".tabs-container .tab", { hasText: FILE }).first().click();
  await page.locator(".editor-group-container.active .monaco-editor .view-lines").first().click();
  await page.keyboard.press("Control+End");
  await page.keyboard.insertText(text);
}

/** Edit the practice file and save it (a run). */
async function editAndSave(page, text) {
  await page.locator(".tabs-container .tab", { hasText: FILE }).first().click();
  await page.locator(".editor-group-container.active .monaco-editor .view-lines").first().click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type(text);
  await page.keyboard.press("Control+S");
}

/**
 * Close the practice panel while its page is loading, twice: a run whose panel closes before
 * its page is up, and the run after it, whose new page VS Code may hold back (a webview closed
 * mid-request leaves the next one's page late). Each goes to the server's sandbox at once or
 * after the page's limit (or to Pyodide when the page came up in time), never after the
 * server's own wait. Returns how the two runs were graded and why the panel could not run them.
 */
async function closeWhileLoading(page) {
  const practiceTab = page.locator(".tabs-container .tab", { hasText: "Pytrix Practice" }).first();
  await practiceTab.click();
  await page.keyboard.press("Control+W");
  await practiceTab.waitFor({ state: "detached" });
  const offset = serverLog().length;
  const graded = () => gradedSince(offset);
  const waitGradedRun = (n) => waitGraded(offset, n, `graded run ${n} after closing the loading panel`);
  // 1. A run opens a new panel; it is closed as soon as its tab shows (its page still loading), by
  // the tab's own close button: a key pressed into a webview whose page is not up yet can be lost.
  // One change, so that run is the one waiting on the page (a later keystroke's run would supersede
  // it, and a superseded run's failure is dropped quietly).
  await editOnce(page, "\n# loading\n");
  await practiceTab.waitFor({ state: "visible" });
  await practiceTab.locator(".tab-actions .action-label").first().click({ force: true });
  await practiceTab.waitFor({ state: "detached" });
  await waitGradedRun(1);
  // 2. The next run opens another panel, left open.
  await editOnce(page, "# after\n");
  await waitGradedRun(2);
  const server = serverLog().slice(offset);
  return {
    graded: graded(),
    reasons: [...server.matchAll(/Pyodide could not run the tests: (.*)/g)].map((m) => m[1].trim()),
    serverWaited: /did not answer in time/.test(server),
  };
}

/** Open a window on the profile (code-server restarted), show the practice file, and read its first Pyodide result. */
async function openWindow(name, { closeWhenKept = false, keepsFiles = false, profile = PROFILE } = {}) {
  const results = count(FIRST_RESULT);
  const kept = count(KEPT);
  const cachedFiles = count(CACHE_KEPT_FILES);
  const cachedSnapshots = count(CACHE_KEPT_SNAPSHOT);
  await stopCodeServer(codeServerProc);
  const started = await startCodeServer(codeServer, dirs, env, root, port);
  codeServerProc = started.proc;
  port = started.port;
  const { chromium } = require("playwright-core");
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport: { width: 1500, height: 950 },
  });
  for (const blank of context.pages()) await blank.close();
  const page = await openWorkbench(context, started.url);
  // A later window reopens the file by itself; else open it as a learner does.
  if (!(await page.locator(".tabs-container .tab", { hasText: FILE }).first().isVisible())) await quickOpen(page, FILE);
  const [, askedMs, openedMs, path, timeline] = await waitForLog(dirs.userData, FIRST_RESULT, results, 120_000, "the first Pyodide result");
  const ready = [...outputLog(dirs.userData).matchAll(READY)].map((m) => m[1]).pop() ?? "";
  await page.keyboard.press("Control+Shift+M");
  await page.locator(".markers-panel .monaco-list-row", { hasText: /tests passed/ }).first().waitFor({ timeout: 60_000 });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  const practiceTabs = await page.locator(".tabs-container .tab", { hasText: "Pytrix Practice" }).count();
  // With the kept snapshot unused, a new one is kept (after the first result).
  if (path !== "restored") {
    await waitForLog(dirs.userData, KEPT, kept, 60_000, "the new snapshot to be kept");
    await waitForLog(dirs.userData, CACHE_KEPT_SNAPSHOT, cachedSnapshots, 60_000, "the new snapshot to be kept in the page's cache");
  }
  // The files a start had to get from the host are kept in the page's cache after its first run.
  if (keepsFiles) await waitForLog(dirs.userData, CACHE_KEPT_FILES, cachedFiles, 60_000, "the start's files to be kept in the page's cache");
  const window = { name, path, requestToResultMs: Number(askedMs), panelToResultMs: Number(openedMs), timeline, ready, practiceTabs };
  if (closeWhenKept) {
    window.gradedBefore = serverLog().match(/graded a run of \S+ from \w+/g) ?? [];
    window.reopened = await closeThenRun(page);
    window.closedLoading = await closeWhileLoading(page);
  }
  window.waitMs = Math.min(window.requestToResultMs, window.panelToResultMs);
  report.windows.push(window);
  await context.close();
  context = undefined;
  return window;
}

try {
  installExtension(codeServer, dirs, env, vsix);

  // 1. The first window after installing: nothing kept yet.
  const first = await openWindow("1-first-run-fresh-boot", { keepsFiles: true });
  report.figures.firstRunMs = first.waitMs;
  step("the first run after installing boots Python afresh and answers from Pyodide", first.path === "fresh", `${first.path}; ${first.ready}`);
  const aheadLine = outputLog(dirs.userData).match(/\[pyodide\] the page fetched ahead: (.*)/)?.[1] ?? "no fetched-ahead line";
  const workerLine = outputLog(dirs.userData).match(/\[pyodide\] fetched by the worker itself: (.*)/)?.[1] ?? "no worker line";
  step(
    "the host posts the worker's files with the page (the interpreter's wasm gzip-compressed: the .vsix has no other), the head's script takes them all, and the worker fetches none itself; the page's own script is written into its HTML",
    /pyodide\.asm\.wasm\.gz \d+ ms \([\d.]+ MB, from the host\)/.test(aheadLine) && (aheadLine.match(/, from the host\)/g) ?? []).length === 7 &&
      /by the head's script/.test(aheadLine) && !/failed/.test(aheadLine) && workerLine === "nothing" &&
      !/no compressed copy|could not fetch|could not import/.test(outputLog(dirs.userData)) &&
      !/the panel's script is loaded by URL/.test(outputLog(dirs.userData)),
    `${aheadLine}; the worker: ${workerLine}`,
  );
  const kept = snapshots();
  step("the panel keeps one interpreter snapshot in global storage", kept.length === 1 && existsSync(join(storage, `${kept[0]}.json`)), kept.join(", "));
  const keptSha = kept.length === 1 ? JSON.parse(readFileSync(join(storage, `${kept[0]}.json`), "utf8")).rawSha256 : "";
  const cacheLine = [...outputLog(dirs.userData).matchAll(CACHE_KEPT_FILES)].map((m) => m[1]).pop() ?? "";
  const firstRecord = pageCacheRecord();
  step(
    "the first window's page keeps Pyodide's five files and the new snapshot in its own cache (web VS Code), and the host records the keys it holds",
    cacheLine.split(", ").length === 5 && count(CACHE_KEPT_SNAPSHOT) === 1 && firstRecord.length === 6 &&
      firstRecord.filter((key) => key.startsWith("pyodide/")).length === 5 && firstRecord.includes(`snapshot/${keptSha}`),
    `kept: ${cacheLine}; recorded: ${firstRecord.map((key) => key.split("/").slice(0, 2).join("/")).join(", ")}`,
  );

  // 2. A later window restores it.
  const later = await openWindow("2-later-window-restored");
  report.figures.laterWindowMs = later.waitMs;
  step(
    "a later window restores the kept snapshot, offered before its checksum was known and restored on the host's good verdict",
    later.path === "restored" && /with the harness loaded/.test(later.ready) && count(VERDICT_GOOD) === 1 && count(VERDICT_DAMAGED) === 0,
    `${later.path}; ${later.ready}; ${count(VERDICT_GOOD)} good, ${count(VERDICT_DAMAGED)} damaged verdict(s); ${later.timeline}`,
  );
  const laterAhead = [...outputLog(dirs.userData).matchAll(/\[pyodide\] the page fetched ahead: (.*)/g)].map((m) => m[1]).pop() ?? "";
  const laterWorker = [...outputLog(dirs.userData).matchAll(/\[pyodide\] fetched by the worker itself: (.*)/g)].map((m) => m[1]).pop() ?? "";
  const laterCache = [...outputLog(dirs.userData).matchAll(FROM_CACHE)].map((m) => m[1]).pop() ?? "";
  step(
    "the later window's worker reads Pyodide's files and the kept snapshot from the page's cache; the host posts only the worker's script and the harness, and the worker fetches nothing itself",
    laterCache.split(", ").length === 6 && /\.snapshot\b/.test(laterCache) &&
      (laterAhead.match(/, from the host\)/g) ?? []).length === 2 && /worker\.js \d+ ms/.test(laterAhead) && /harness\.py \d+ ms/.test(laterAhead) &&
      laterWorker === "nothing" && count(CACHE_KEPT_FILES) === 1,
    `from the page's cache: ${laterCache}; posted: ${laterAhead}; the worker: ${laterWorker}`,
  );
  step(
    "the later window brings the practice panel back with itself (one panel, taken up by the extension, not a second opened)",
    count(/\[practice\] the practice panel came back with the window/g) === 1 && /the panel came back with the window/.test(later.timeline) &&
      later.practiceTabs === 1 && count(/closed a second practice panel/g) === 0,
    `${later.practiceTabs} practice tab(s); ${later.timeline}`,
  );

  // 2b. Another browser (an empty profile): its cache lacks what the host recorded.
  const recordFile = join(storage, "page-cache.json");
  const recordedAt = existsSync(recordFile) ? statSync(recordFile).mtimeMs : 0;
  const other = await openWindow("2b-another-browser", { keepsFiles: true, profile: join(root, "other-browser-profile") });
  const otherFetched = [...outputLog(dirs.userData).matchAll(/\[pyodide\] fetched by the worker itself: (.*)/g)].map((m) => m[1]).pop() ?? "";
  const otherKept = [...outputLog(dirs.userData).matchAll(CACHE_KEPT_FILES)].map((m) => m[1]).pop() ?? "";
  step(
    "a browser whose cache lacks the files the host recorded (another browser, or cleared site data): the worker fetches them and the snapshot from their URLs, restores the snapshot, and keeps all six in that browser's cache",
    other.path === "restored" && otherFetched.split(", ").length === 6 && /\.snapshot \d+ ms/.test(otherFetched) &&
      otherKept.split(", ").length === 6 && /\.snapshot\b/.test(otherKept) &&
      // That browser's report rewrote the host's record.
      recordedAt > 0 && statSync(recordFile).mtimeMs > recordedAt && pageCacheRecord().length === 6,
    `${other.path}; fetched by the worker: ${otherFetched}; kept: ${otherKept}; ${other.requestToResultMs} ms from the request`,
  );

  // 3. A damaged snapshot, and a stale one (another harness's), are never used.
  const [file] = snapshots();
  const bytes = readFileSync(join(storage, file));
  bytes[bytes.length >> 1] ^= 0xff;
  writeFileSync(join(storage, file), bytes);
  const staleName = file.replace(/-[0-9a-f]{16}\.snapshot$/, "-0000000000000000.snapshot");
  cpSync(join(storage, file), join(storage, staleName));
  cpSync(join(storage, `${file}.json`), join(storage, `${staleName}.json`));
  const damaged = await openWindow("3-damaged-and-stale-fresh-boot", { closeWhenKept: true });
  step(
    "a damaged snapshot is removed and Python boots afresh; the tests still run from Pyodide",
    damaged.path === "fresh" && /the kept interpreter snapshot was removed \(its bytes do not match their checksum\)/.test(outputLog(dirs.userData)) &&
      count(VERDICT_DAMAGED) === 1 && /\[pyodide\] the host found the kept snapshot damaged \(its checksum\); starting afresh/.test(outputLog(dirs.userData)),
    `${damaged.path}; ${damaged.ready}`,
  );
  const after = snapshots();
  step("a new snapshot replaces it, and the stale one is removed", after.length === 1 && after[0] === file, after.join(", "));
  // The replacement is whole again: a fourth window would restore it (checked by its record).
  const record = JSON.parse(readFileSync(join(storage, `${file}.json`), "utf8"));
  step("the new snapshot's record matches its bytes", record.bytes === readFileSync(join(storage, file)).length, `${record.bytes} bytes`);
  step(
    "the panel closed as soon as the snapshot is kept: an edit's run opens a new one, graded from Pyodide with no fall-back to the sandbox " +
      "(or, when VS Code held the new page back, from the sandbox at the page's 8 s limit, then from Pyodide once the page is up)",
    damaged.reopened.fromPyodideOnly || (damaged.reopened.heldBack && damaged.reopened.graded.at(-1)?.endsWith("from pyodide")),
    `${damaged.reopened.graded.join("; ")} | ${damaged.reopened.line}${damaged.reopened.heldBack ? ` | held back: ${damaged.reopened.late.join("; ")}` : ""}`,
  );
  const graded = damaged.gradedBefore;
  step(
    "every run of the four windows, before any panel was closed, was graded from Pyodide, never the sandbox",
    graded.length >= 4 && graded.every((line) => line.endsWith("from pyodide")),
    `${graded.length} graded run(s)`,
  );
  const loading = damaged.closedLoading;
  step(
    "a panel closed while its page loads: its run, and the next one (VS Code may hold the next page back), go to the sandbox at once or at the page's 8 s limit, never after the server's own wait",
    !loading.serverWaited && loading.reasons[0] === "the practice panel was closed before its page came up" &&
      loading.reasons.every((r) => /^the practice panel was closed before its page came up$|^The practice panel was closed\.$|^the practice panel's page was not up 8 s after the panel opened/.test(r)) &&
      loading.graded.length >= 2,
    `${loading.graded.join("; ")} | ${loading.reasons.join(" | ")}`,
  );
} catch (error) {
  step("Pyodide start flow", false, String(error?.stack ?? error).slice(0, 2000));
} finally {
  const failed = report.steps.some((s) => !s.ok);
  await closeRun({ browser, proc: codeServerProc, dirs, root, artifacts: ARTIFACTS, failed });
}
writeFileSync(reportPath, JSON.stringify(report, null, 2));
process.exit(log.finish());
