// End to end in a real VS Code: code-server 4.100 with the built .vsix
// installed, driven by playwright-core and Debian's Chromium.
//
//   0. a stand-in Python extension reports the repo's Python as the active
//      interpreter, and Pytrix runs its server with it;
//   1. "Pytrix: New Question…" from the command palette, through the four
//      quick picks -> the practice file opens, the question preview beside it;
//   2. a wrong solution -> its failures show in the Problems panel;
//   3. the fixed solution -> "All N tests passed" in the Problems panel and
//      the pass count in the status bar;
//   4. "Pytrix: Submit" -> the attempt is recorded (checked in SQLite);
//   5. the practice panel runs the tests in Pyodide inside the webview; a
//      Pyodide timeout becomes the diagnostic with no second run in the sandbox;
//   6. the dashboard webview draws its charts;
//   7. importStrategy fromEnvironment with a Python without Pytrix: a clear
//      message and its fixes (never a pip install), and commands answer at once;
//   8. an unrelated package importable as `pytrix` is refused by name.
// A screenshot of each step goes to test-artifacts/vscode-e2e/.
//
// Usage: node e2e_code_server.mjs PATH.vsix CODE_SERVER_BIN
// Prints one line per step and a closing "N passed, N failed" line.

import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  BASE_SETTINGS,
  closeRun,
  e2eStart,
  editUserSettings,
  installExtension,
  openWorkbench,
  outputLog as profileLog,
  palette,
  pickQuick,
  startCodeServer,
  stepLog,
  waitForLog,
  writeUserSettings,
} from "./code_server_kit.mjs";
import { CHROMIUM_ARGS, CHROMIUM, EXTENSION, HERE, python, require } from "./support.mjs";

const { vsix, codeServer, artifacts: ARTIFACTS, root, dirs, env } = e2eStart("e2e_code_server.mjs", "vscode-e2e");

const QUESTION = "string-reversal.beginner";
// A Python 3.11+ without Pytrix (Debian's), for the install offer.
const BARE_PYTHON = process.env.PYTRIX_BARE_PYTHON ?? "/usr/bin/python3";
const PICKS = ["String Manipulation", "Basic String Operations", "String Reversal", "Beginner"];
const WRONG = `# pytrix: question=${QUESTION}\ndef reverse_string(s: str) -> str:\n    return s.upper()\n`;
const RIGHT = `# pytrix: question=${QUESTION}\ndef reverse_string(s: str) -> str:\n    return s[::-1]\n`;
const LOOP = `# pytrix: question=${QUESTION}\ndef reverse_string(s: str) -> str:\n    while True:\n        pass\n`;

// The stand-in Python extension reports this interpreter as the active one.
env.PYTRIX_E2E_PYTHON = python();

const settings = { "pytrix.debounceMs": 150, "pytrix.runtime": "subprocess", ...BASE_SETTINGS };
writeUserSettings(dirs.userData, settings);

const { steps: results, step, finish } = stepLog();
let serverProc;
let browser;

const outputLog = () => profileLog(dirs.userData);

const serverLog = () => readFileSync(join(dirs.pytrixHome, "server.log"), "utf8");

/** The runs graded since the server log was `offset` long: where each came from, and whether the client runtime fell back. */
function gradedSince(offset) {
  const text = serverLog().slice(offset);
  const graded = text.match(/graded a run of \S+ from \w+/g) ?? [];
  const fromPyodideOnly = graded.length > 0 && graded.every((line) => line.endsWith("from pyodide")) && !/client runtime failed/.test(text);
  return { graded, fromPyodideOnly };
}

/**
 * Whether runs since `offset` fell back to the sandbox, and whether every fall-back was the
 * panel's page being late after another panel closed (never the server's own wait).
 */
function heldBackSince(offset) {
  const text = serverLog().slice(offset);
  const reasons = [...text.matchAll(/client runtime failed, using the sandbox: (.*)/g)].map((m) => m[1]);
  return {
    fellBack: reasons.length > 0,
    onlyPageLate: reasons.every((r) => /page was not up 8 s after the panel opened/.test(r)),
    reasons,
  };
}

async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

async function replaceEditorText(page, text) {
  const editor = page.locator(".editor-group-container.active .monaco-editor .view-lines").first();
  await editor.click();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  // autoIndent is off: type the indentation ourselves, line by line.
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line) await page.keyboard.type(line);
    if (i < lines.length - 1) await page.keyboard.press("Enter");
  }
}

try {
  // A stand-in for the Python extension (ms-python.python), packaged on the fly.
  const fakePython = join(root, "fake-python.vsix");
  const packed = spawnSync(
    join(EXTENSION, "node_modules", ".bin", "vsce"),
    ["package", "--no-dependencies", "--allow-missing-repository", "-o", fakePython],
    { cwd: join(HERE, "fake-python-extension"), encoding: "utf8" },
  );
  if (packed.status !== 0) throw new Error(`could not package the stand-in Python extension: ${packed.stderr}`);
  installExtension(codeServer, dirs, env, [fakePython, vsix]);
  const names = readdirSync(dirs.extensions);
  const installed = names.some((name) => name.startsWith("pytrix.pytrix")) && names.some((name) => name.startsWith("ms-python.python"));
  step("install the .vsix (and a stand-in Python extension)", installed, names.join(", "));
  if (!installed) throw new Error("the extensions did not install");

  const started = await startCodeServer(codeServer, dirs, env, root);
  serverProc = started.proc;

  const { chromium } = require("playwright-core");
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const page = await openWorkbench(browser, started.url);

  // 1. New question from the palette.
  await palette(page, "Pytrix: New Question");
  for (const text of PICKS) await pickQuick(page, text);
  const tab = page.locator(".tabs-container .tab", { hasText: ".py" }).first();
  await tab.waitFor();
  const preview = page.locator(".tabs-container .tab", { hasText: "Preview" }).first();
  await preview.waitFor();
  await page.locator(".monaco-editor .view-lines", { hasText: `pytrix: question=${QUESTION}` }).first().waitFor();
  await shot(page, "1-new-question");
  step("new question from the palette opens the practice file and the question preview", true, await tab.innerText());
  const chosen = outputLog().match(/\[client\] Python: .*/)?.[0] ?? "no interpreter line in the Pytrix output";
  step("with pytrix.server.python empty, the Python extension's active interpreter runs the server", chosen.includes("(from python-extension)") && chosen.includes(python()), chosen);

  // 2. A wrong solution: failures in the Problems panel.
  await tab.click();
  await replaceEditorText(page, WRONG);
  await page.keyboard.press("Control+S");
  await page.keyboard.press("Control+Shift+M");
  const problems = page.locator(".markers-panel");
  await problems.waitFor();
  await problems.locator(".monaco-list-row", { hasText: /expected|returned|got/i }).first().waitFor();
  await shot(page, "2-wrong-solution-problems");
  const wrongRows = await problems.locator(".monaco-list-row").count();
  step("a wrong solution shows its failures in the Problems panel", wrongRows > 0, `${wrongRows} rows`);

  // 3. The fix: all passing.
  await tab.click();
  await replaceEditorText(page, RIGHT);
  await page.keyboard.press("Control+S");
  await problems.locator(".monaco-list-row", { hasText: /tests passed/ }).first().waitFor();
  const statusItem = page.locator(".statusbar-item", { hasText: QUESTION }).first();
  await statusItem.waitFor();
  await page.waitForFunction(
    (q) => [...document.querySelectorAll(".statusbar-item")].some((el) => el.textContent.includes(q) && /(\d+)\/\1/.test(el.textContent)),
    QUESTION,
  );
  await shot(page, "3-fixed-all-passing");
  step("the fixed solution shows all tests passing", true, (await statusItem.innerText()).replace(/\s+/g, " "));

  // 4. Submit from the palette: the attempt is recorded.
  await palette(page, "Pytrix: Submit");
  await page.locator(".notifications-toasts .notification-toast", { hasText: "Solved!" }).first().waitFor();
  await shot(page, "4-submitted");
  const db = join(dirs.pytrixHome, "pytrix.db");
  const check = spawnSync(
    python(),
    ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute('SELECT COUNT(*) FROM attempts WHERE question_id=? AND solved=1', (sys.argv[2],)).fetchone()[0])", db, QUESTION],
    { encoding: "utf8" },
  );
  const solved = Number(check.stdout.trim());
  step("submit records a solved attempt", check.status === 0 && solved >= 1, `${solved} solved attempt(s) in ${db} ${check.stderr}`);

  // 4b. In the default runtime the practice panel says where the tests run and how to switch.
  await tab.click();
  await palette(page, "Pytrix: Open the Practice Panel");
  {
    const footer = page.frameLocator("iframe.webview.ready").frameLocator("iframe#active-frame").locator("#runtime");
    await footer.filter({ hasText: /local sandbox/ }).waitFor({ timeout: 30_000 });
    const text = await footer.innerText();
    step("in the default runtime the panel's footer says how to switch to Pyodide", /"pytrix.runtime": "pyodide"/.test(text), text);
    await page.locator(".tabs-container .tab", { hasText: "Pytrix Practice" }).first().click();
    await page.keyboard.press("Control+W");
    await page.locator(".tabs-container .tab", { hasText: "Pytrix Practice" }).first().waitFor({ state: "detached" });
    await tab.click();
  }

  // 5. The practice panel runs the tests in Pyodide inside the webview.
  // Switch "pytrix.runtime" to "pyodide" the way a user does: in the settings JSON editor.
  await editUserSettings(page, { ...settings, "pytrix.runtime": "pyodide" });
  await page.locator(".tabs-container .tab.dirty", { hasText: "settings.json" }).waitFor({ state: "detached" });
  await tab.click();
  await palette(page, "Pytrix: Open the Practice Panel");
  const outer = page.frameLocator("iframe.webview.ready");
  const inner = outer.frameLocator("iframe#active-frame");
  try {
    await inner.locator("#runtime", { hasText: /Pyodide: ready/ }).waitFor({ timeout: 90_000 });
    await inner.locator("#run").click();
    await inner.locator("#summary", { hasText: /passed/ }).waitFor({ timeout: 60_000 });
    const summary = await inner.locator("#summary").innerText();
    const runtimeLine = await inner.locator("#runtime").innerText();
    await shot(page, "5-practice-panel-pyodide");
    step("the practice panel runs the tests in Pyodide", /pyodide/.test(summary) && /(\d+)\/\1 passed/.test(summary), `${summary} | ${runtimeLine}`);
    // The panel hands its fresh interpreter's snapshot to the extension once idle; it is kept in global storage.
    await waitForLog(dirs.userData, /\[pyodide\] kept an interpreter snapshot/g, 0, 60_000, "the interpreter snapshot to be kept");
    // The panel is closed at once: nothing of its page may still be loading (a fetch in flight when a
    // webview closes made the next one's page 30 s late, after the server had fallen back).
    // With the panel closed, an edit makes the server send pytrix/runTests: the
    // extension opens the panel by itself (a new panel: it restores the snapshot
    // the first one kept) and the diagnostics come from Pyodide.
    await page.locator(".tabs-container .tab", { hasText: "Pytrix Practice" }).first().click();
    await page.keyboard.press("Control+W");
    await page.locator(".tabs-container .tab", { hasText: "Pytrix Practice" }).first().waitFor({ state: "detached" });
    await tab.click();
    const beforeOpen = serverLog().length;
    await replaceEditorText(page, WRONG);
    await page.keyboard.press("Control+S");
    await page.locator(".tabs-container .tab", { hasText: "Pytrix Practice" }).first().waitFor({ timeout: 30_000 });
    await problems.locator(".monaco-list-row", { hasText: /expected/ }).first().waitFor({ timeout: 90_000 });
    // VS Code may hold a new webview's page back 30 s after another closed (practicePanel.ts, lib/pageUp.ts):
    // then the run went to the sandbox at the page's 8 s limit, and a save once the page is up runs in Pyodide.
    const heldBack = heldBackSince(beforeOpen);
    if (heldBack.fellBack) {
      await inner.locator("#runtime", { hasText: /Pyodide: ready/ }).waitFor({ timeout: 90_000 });
      await tab.click();
      await page.locator(".editor-group-container.active .monaco-editor .view-lines").first().click();
      await page.keyboard.press("Control+End");
      await page.keyboard.type("\n");
      await page.keyboard.press("Control+S");
    }
    await inner.locator("#runtime", { hasText: /last run/ }).waitFor({ timeout: 30_000 });
    const served = await inner.locator("#runtime").innerText();
    await shot(page, "5b-pyodide-diagnostics");
    step("a new practice panel restores the kept interpreter snapshot", /from a snapshot/.test(served), served);
    // Known server-side issue, reported rather than failed here: a pytrix/runTests request the
    // server cancelled (a newer edit) still gets its answer, and pygls then fails on the cancelled future.
    const serverErrors = await page.locator(".notifications-toasts .notification-toast", { hasText: "Error in server" }).count();
    if (serverErrors > 0) console.log(`NOTE the server showed ${serverErrors} "Error in server: CANCELLED" toast(s) while typing in pyodide mode`);
    const opened = gradedSince(beforeOpen);
    step(
      "with the panel closed, a server-initiated pytrix/runTests opens it and the failures reach the Problems panel, graded from Pyodide with no fall-back " +
        "(or, when VS Code held the new page back, from the sandbox at the page's 8 s limit, never after the server's own wait, and then from Pyodide)",
      opened.fromPyodideOnly || (heldBack.fellBack && heldBack.onlyPageLate && opened.graded.at(-1)?.endsWith("from pyodide")),
      `${opened.graded.join("; ")} | ${served}${heldBack.fellBack ? ` | held back: ${heldBack.reasons.join("; ")}` : ""}`,
    );
    // A Pyodide timeout counts: its diagnostic comes from the Pyodide run, with no second run in the sandbox.
    const logBefore = serverLog().length;
    await replaceEditorText(page, LOOP);
    await page.keyboard.press("Control+S");
    await problems.locator(".monaco-list-row", { hasText: /timed out|never ends|took longer|infinite loop/i }).first().waitFor({ timeout: 60_000 });
    await shot(page, "5c-pyodide-timeout");
    const { graded, fromPyodideOnly } = gradedSince(logBefore);
    step(
      "a Pyodide timeout becomes the diagnostic, graded from Pyodide with no fall-back to the sandbox",
      fromPyodideOnly,
      `${graded.length} graded run(s): ${[...new Set(graded.map((line) => line.split(" ").pop()))].join(", ")}`,
    );
    // Stop from the panel while the endless loop runs: the stopped test is the diagnostic, from Pyodide.
    const beforeStop = serverLog().length;
    // One keystroke, not saved: exactly one run (typing then saving makes two when keys
    // arrive slower than the debounce, and the stopped one is then superseded).
    await tab.click();
    await page.keyboard.type(" ");
    await inner.locator("#stop:not([disabled])").waitFor({ timeout: 30_000 });
    await inner.locator("#stop").click();
    await problems.locator(".monaco-list-row", { hasText: /Stopped from the practice panel/ }).first().waitFor({ timeout: 30_000 });
    const stopped = gradedSince(beforeStop);
    const consoleText = await inner.locator("#console").innerText();
    step(
      "Stop from the panel becomes the diagnostic, graded from Pyodide, with no raw cancellation text",
      stopped.fromPyodideOnly && !/Request with id/.test(consoleText),
      `${stopped.graded.length} graded run(s)`,
    );
    await tab.click();  // back to the editor group (the Stop click focused the panel's)
    // The panel follows runs it did not start (typing), not only its own Run button.
    await inner.locator("#summary", { hasText: /^0\/7 passed/ }).waitFor({ timeout: 30_000 });
    const followed = await inner.locator("#tests").innerText();
    step("the practice panel follows a run started by typing, showing each value once", /expected: /.test(followed) && (followed.match(/expected: 'olleh'/g) ?? []).length <= 1, followed.slice(0, 160).replace(/\s+/g, " "));
    await replaceEditorText(page, RIGHT);
    await page.keyboard.press("Control+S");
    // This very code was submitted and solved above: "Solved earlier: all 7 tests pass, …".
    await problems.locator(".monaco-list-row", { hasText: /Solved earlier: all 7 tests pass/ }).first().waitFor({ timeout: 60_000 });
    await inner.locator("#summary", { hasText: /^7\/7 passed/ }).waitFor({ timeout: 30_000 });
  } catch (error) {
    const consoleText = await inner.locator("#console").innerText().catch(() => "?");
    const runtimeLine = await inner.locator("#runtime").innerText().catch(() => "?");
    await shot(page, "5-practice-panel-pyodide");
    step("the practice panel runs the tests in Pyodide", false, `${runtimeLine} | console: ${consoleText} | ${String(error).slice(0, 300)}`);
    // Focus back in the editor, so the palette opens for the steps that follow.
    await tab.click().catch(() => undefined);
  }

  // 5d. The AI connection test without a key: one toast, with the button that fixes it.
  await palette(page, "Pytrix: Test the AI Connection");
  const noKey = page.locator(".notifications-toasts .notification-toast", { hasText: "No Gemini API key" });
  await noKey.first().waitFor({ timeout: 30_000 });
  const keyToasts = await noKey.count();
  const keyText = (await noKey.first().innerText()).replace(/\s+/g, " ");
  step("Test the AI Connection without a key shows one toast with a Set Gemini API Key button", keyToasts === 1 && /Set Gemini API Key/.test(keyText), `${keyToasts} toast(s): ${keyText.slice(0, 160)}`);
  await palette(page, "Notifications: Clear All Notifications");

  // 6. The dashboard webview: mastery per module and activity charts from pytrix/stats.
  await palette(page, "Pytrix: Dashboard");
  const deadline = Date.now() + 60_000;
  let dashboard = null;
  while (Date.now() < deadline && dashboard === null) {
    for (const frame of page.frames()) {
      const found = await frame
        .evaluate(() => {
          const mastery = document.querySelector("#mastery svg");
          const activity = document.querySelector("#activity svg");
          if (!mastery || !activity) return null;
          return { mastery: mastery.textContent, cards: document.querySelector("#headline")?.textContent ?? "" };
        })
        .catch(() => null);
      if (found) dashboard = found;
    }
    if (dashboard === null) await page.waitForTimeout(250);
  }
  await shot(page, "6-dashboard");
  step(
    "the dashboard draws mastery and activity charts",
    dashboard !== null && dashboard.mastery.includes("String Manipulation") && /Questions solved/.test(dashboard.cards),
    dashboard ? `${dashboard.cards.slice(0, 120)}` : "no dashboard charts",
  );

  // Close the practice panel: the settings editor below opens in the editor's group.
  if (await page.locator(".tabs-container .tab", { hasText: "Pytrix Practice" }).count()) {
    await page.locator(".tabs-container .tab", { hasText: "Pytrix Practice" }).first().click();
    await page.keyboard.press("Control+W");
    await page.locator(".tabs-container .tab", { hasText: "Pytrix Practice" }).first().waitFor({ state: "detached" });
  }
  await tab.click();

  // 7. importStrategy "fromEnvironment" with a Python that has no Pytrix: one clear
  // message with the fixes, never an install into that interpreter; and a command
  // run meanwhile answers at once with the same reason.
  await editUserSettings(page, { ...settings, "pytrix.server.python": BARE_PYTHON, "pytrix.server.importStrategy": "fromEnvironment" });
  const refusal = page.locator(".notifications-toasts .notification-toast", { hasText: "Pytrix cannot start" }).first();
  await refusal.waitFor({ timeout: 60_000 });
  const refusalText = (await refusal.innerText()).replace(/\s+/g, " ");
  await shot(page, "7-environment-without-pytrix");
  step(
    "a Python without Pytrix (fromEnvironment) gets a clear message and the fixes, never a pip install",
    /not installed for/.test(refusalText) && /pipx install pytrix-practice/.test(refusalText) && /Use Bundled Server/.test(refusalText) && !/pip install pytrix(?!-)/.test(refusalText),
    refusalText,
  );
  const down = page.locator(".statusbar-item .codicon-warning").first();
  await down.waitFor({ timeout: 15_000 });
  step("the status bar shows that the server is not running", true);
  await palette(page, "Notifications: Clear All Notifications");
  await refusal.waitFor({ state: "detached" });
  await palette(page, "Pytrix: New Question");
  const answered = page.locator(".notifications-toasts .notification-toast", { hasText: "Pytrix cannot start" }).first();
  await answered.waitFor({ timeout: 15_000 });
  step("a command run without a server says why at once", true, (await answered.innerText()).replace(/\s+/g, " ").slice(0, 160));

  // An unrelated package that is importable as `pytrix` is refused by name, not started.
  const impostorDir = join(root, "impostor");
  mkdirSync(join(impostorDir, "pytrix"), { recursive: true });
  writeFileSync(join(impostorDir, "pytrix", "__init__.py"), '__version__ = "9.9.9"\n');
  const impostorPython = join(root, "impostor-python");
  writeFileSync(impostorPython, `#!/bin/sh\nPYTHONPATH=${JSON.stringify(impostorDir)} exec ${BARE_PYTHON} "$@"\n`, { mode: 0o755 });
  await palette(page, "Notifications: Clear All Notifications");
  await answered.waitFor({ state: "detached" });
  await editUserSettings(page, { ...settings, "pytrix.server.python": impostorPython, "pytrix.server.importStrategy": "fromEnvironment" });
  const impostor = page.locator(".notifications-toasts .notification-toast", { hasText: "is not Pytrix" }).first();
  await impostor.waitFor({ timeout: 60_000 });
  const impostorText = (await impostor.innerText()).replace(/\s+/g, " ");
  await shot(page, "8-impostor-pytrix");
  step("an unrelated package named pytrix gets one clear error with the fixes", /9\.9\.9/.test(impostorText) && /pytrix-practice/.test(impostorText) && /Show Log/.test(impostorText), impostorText.slice(0, 220));
} catch (error) {
  step("e2e flow", false, String(error?.stack ?? error).slice(0, 2000));
} finally {
  await closeRun({ browser, proc: serverProc, dirs, root, artifacts: ARTIFACTS, failed: results.some((r) => !r.ok) });
}
process.exit(finish());
