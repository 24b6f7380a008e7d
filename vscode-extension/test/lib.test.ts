import { describe, expect, it } from "vitest";
import { barChart, columnChart, escapeHtml } from "../src/lib/charts";
import {
  difficultyItems,
  moduleItems,
  newQuestionParams,
  parseCurriculum,
  problemTypeItems,
  subtopicItems,
} from "../src/lib/curriculum";
import { activityOf, buildDashboard, masteryOf, usageMarkdown, usageOf } from "../src/lib/dashboard";
import { contentSecurityPolicy, inlinable, makeNonce, webviewShell } from "../src/lib/html";
import { adviceFor, CRASH_LOOP_MESSAGE, firstUsable, shouldRestart, interpreterCandidates, judgeProbe, launchPlan, PROBE_SCRIPT, versionMismatch } from "../src/lib/interpreter";
import { parseFromDashboard, parseFromPractice, parseToPractice, summariseRun, testDetails } from "../src/lib/messages";
import { classifyPath, questionIdOf, questionUri } from "../src/lib/practice";
import { InvalidParams, isRunTestsResult, parseEvent, parseRunTestsParams, toWireResult } from "../src/lib/runTests";
import { isTrafficLine, reviewMarkdown } from "../src/lib/review";
import { runCount, statusText, streakOf } from "../src/lib/status";
import { CURRICULUM, moduleStats, runReport, statsReport, testReport, usageReport } from "./protocolFixtures";
import { parseFromWorker } from "../src/lib/workerProtocol";


describe("curriculum quick picks", () => {
  const tree = parseCurriculum(CURRICULUM);

  it("keeps only levels that lead to a question, with counts", () => {
    const modules = moduleItems(tree);
    expect(modules.map((m) => m.label)).toEqual(["Strings"]);
    expect(modules[0].description).toBe("2 questions");
    const subtopics = subtopicItems(modules[0].value);
    expect(subtopics.map((s) => s.label)).toEqual(["1.1 Basics"]);
    const types = problemTypeItems(subtopics[0].value);
    expect(types.map((p) => p.label)).toEqual(["Reversal"]);
    const levels = difficultyItems(types[0].value);
    expect(levels.map((d) => d.value)).toEqual(["beginner", "advanced"]);
    expect(newQuestionParams(modules[0].value, types[0].value, "advanced")).toEqual({
      module: "strings",
      problemType: "reversal",
      difficulty: "advanced",
      open: true,
    });
  });

  it("rejects an answer without modules", () => {
    expect(() => parseCurriculum({} as never)).toThrow(/no modules/);
  });
});

describe("interpreter", () => {
  it("tries the setting alone, else the Python extension, then python3 and python on PATH", () => {
    expect(interpreterCandidates(" /opt/py/bin/python ", "/ext/python", "linux")).toEqual([{ command: "/opt/py/bin/python", source: "setting" }]);
    expect(interpreterCandidates("", "/ext/python", "linux").map((c) => `${c.command}:${c.source}`)).toEqual([
      "/ext/python:python-extension",
      "python3:path",
      "python:path",
    ]);
    expect(interpreterCandidates(undefined, undefined, "linux").map((c) => c.command)).toEqual(["python3", "python"]);
    expect(interpreterCandidates(undefined, undefined, "win32").map((c) => c.command)).toEqual(["python", "python3"]);
  });

  it("starts the bundled server unless told to use the environment's, or the build has none", () => {
    expect(launchPlan("useBundled", "/ext/bundled/tool/pytrix_launch.py")).toEqual({
      kind: "bundled",
      probeArgs: ["-I", "/ext/bundled/tool/pytrix_launch.py", "--probe"],
      serveArgs: ["-I", "/ext/bundled/tool/pytrix_launch.py", "serve"],
    });
    expect(launchPlan("fromEnvironment", "/ext/bundled/tool/pytrix_launch.py")).toEqual({ kind: "environment", probeArgs: ["-c", PROBE_SCRIPT], serveArgs: ["-m", "pytrix", "serve"] });
    expect(launchPlan("useBundled", undefined).kind).toBe("environment");
  });

  const run = (info: object) => ({ code: 0, stdout: `${JSON.stringify(info)}\n`, stderr: "" });

  it("accepts Python 3.11+ with pytrix", () => {
    const verdict = judgeProbe("python3", run({ version: [3, 12, 1], executable: "/usr/bin/python3", pytrix: "0.1.0", logPath: "/h/server.log" }));
    expect(verdict.ok).toBe(true);
  });

  it("refuses an old Python, a missing pytrix, a missing interpreter, and garbage", () => {
    const old = judgeProbe("python3", run({ version: [3, 10, 9], executable: "/usr/bin/python3", pytrix: "0.1.0" }));
    expect(old).toMatchObject({ ok: false, reason: "too-old" });
    expect(!old.ok && old.message).toMatch(/3\.10\.9; Pytrix needs 3\.11 or newer/);
    const missing = judgeProbe("python3", run({ version: [3, 11, 0], executable: "/usr/bin/python3", pytrixError: "ModuleNotFoundError: No module named 'pytrix'" }));
    expect(missing).toMatchObject({ ok: false, reason: "no-pytrix" });
    expect(judgeProbe("nope", { error: "not found", code: null, stdout: "", stderr: "" })).toMatchObject({ ok: false, reason: "not-found" });
    expect(judgeProbe("python2", { code: 1, stdout: "", stderr: "SyntaxError: invalid syntax" })).toMatchObject({ ok: false, reason: "bad-output" });
  });

  it("refuses an impostor package named pytrix, but not the bundled server", () => {
    const impostor = judgeProbe("python3", run({ version: [3, 12, 0], executable: "/venv/bin/python", pytrix: "9.9.9", distribution: null }));
    expect(impostor).toMatchObject({ ok: false, reason: "impostor" });
    expect(!impostor.ok && impostor.message).toMatch(/not Pytrix.*pytrix-practice/);
    const real = judgeProbe("python3", run({ version: [3, 12, 0], executable: "/venv/bin/python", pytrix: "0.2.0", distribution: "pytrix-practice" }));
    expect(real.ok).toBe(true);
    const bundled = judgeProbe("python3", run({ version: [3, 11, 2], executable: "/usr/bin/python3", pytrix: "0.2.0", bundled: true }));
    expect(bundled.ok).toBe(true);
    const unsupported = judgeProbe("python3", run({ version: [3, 15, 0], executable: "/usr/bin/python3", bundled: true, pytrixError: "the bundled server supports Python 3.11 to 3.14; this is Python 3.15" }));
    expect(unsupported).toMatchObject({ ok: false, reason: "no-pytrix" });
    expect(!unsupported.ok && unsupported.message).toMatch(/bundled with the extension cannot run.*3\.11 to 3\.14/);
  });

  it("takes the first usable interpreter, and otherwise advises without ever installing", () => {
    const python3 = { command: "python3", source: "path" as const };
    const ext = { command: "/ext/python", source: "python-extension" as const };
    const old = judgeProbe("/ext/python", run({ version: [3, 9, 1], executable: "/ext/python" }));
    const good = judgeProbe("python3", run({ version: [3, 11, 2], executable: "/usr/bin/python3", pytrix: "0.2.0", bundled: true }));
    const picked = firstUsable([{ choice: ext, verdict: old }, { choice: python3, verdict: good }]);
    expect("choice" in picked && picked.choice.command).toBe("python3");

    const missing = judgeProbe("python3", { error: "not found", code: null, stdout: "", stderr: "" });
    const none = firstUsable([{ choice: ext, verdict: old }, { choice: python3, verdict: missing }]);
    expect("failures" in none).toBe(true);
    if ("failures" in none) {
      const advice = adviceFor(none.failures, "useBundled");
      expect(advice.actions).toEqual(["Install Python", "Choose Python", "Show Log"]);
      expect(advice.message).toMatch(/needs Python 3\.11 or newer.*3\.9\.1.*'python3' was not found/);
      expect(advice.message).not.toMatch(/pip install/);
    }
    const notInstalled = judgeProbe("python3", run({ version: [3, 12, 0], executable: "/venv/bin/python", pytrixError: "ModuleNotFoundError: No module named 'pytrix'" }));
    const env = firstUsable([{ choice: python3, verdict: notInstalled }]);
    if ("failures" in env) {
      const advice = adviceFor(env.failures, "fromEnvironment");
      expect(advice.actions).toEqual(["Use Bundled Server", "Choose Python", "Show Log"]);
      expect(advice.message).toMatch(/pipx install pytrix-practice/);
      expect(advice.message).not.toMatch(/pip install pytrix(?!-)/);
    }
  });

  it("names a version mismatch and its fix", () => {
    expect(versionMismatch("0.2.0", "0.2.0", "bundled")).toBeUndefined();
    expect(versionMismatch("0.2.0", "0.1.0", "environment")).toMatch(/server is version 0\.1\.0 but the extension is 0\.2\.0.*pipx upgrade pytrix-practice.*useBundled/);
    expect(versionMismatch("0.2.0", "0.1.0", "bundled")).toMatch(/Reinstall the extension/);
  });
});

describe("practice files and pytrix: URIs", () => {
  it("reads the header", () => {
    expect(questionIdOf("# pytrix: question=string-reversal.beginner\ndef f(): pass")).toBe("string-reversal.beginner");
    expect(questionIdOf("#pytrix:question=a.b\r\n")).toBe("a.b");
    expect(questionIdOf("# pytrix: question=string-reversal.beginner~2\n")).toBe("string-reversal.beginner~2");
    expect(questionIdOf("\n\n\n\n\n# pytrix: question=a")).toBeNull();
  });

  it("classifies URIs", () => {
    expect(questionUri("a.b")).toBe("pytrix:/question/a.b.md");
    expect(classifyPath("/question/a.b.md")).toEqual({ kind: "question", questionId: "a.b" });
    expect(classifyPath("/question/a.b~3.md")).toEqual({ kind: "question", questionId: "a.b~3" });
    expect(classifyPath("/dashboard.md")).toEqual({ kind: "dashboard" });
    expect(classifyPath("/usage.md")).toEqual({ kind: "usage" });
    expect(classifyPath("/note/evaluate-1.md")).toEqual({ kind: "note", key: "evaluate-1" });
    expect(classifyPath("/question/../../etc/passwd")).toBeNull();
  });
});

describe("status bar", () => {
  it("shows question, pass count and streak", () => {
    expect(statusText({ questionId: "q.a", passed: 3, total: 7, streakDays: 4 }).text).toBe("$(mortar-board) q.a  $(beaker) 3/7  $(flame) 4");
    expect(statusText({ questionId: "q.a", passed: 7, total: 7 }).text).toContain("$(pass-filled) 7/7");
    expect(statusText({ questionId: "q.a", runStatus: "compile_error" }).text).toContain("syntax error");
    expect(statusText({ questionId: null, streakDays: 0 }).text).toBe("$(mortar-board) Pytrix");
  });

  it("takes pass counts and status from the run's data, and the streak from the stats", () => {
    expect(runCount(runReport({ status: "failed", passed: 3, total: 7 }))).toEqual({ passed: 3, total: 7, runStatus: "failed" });
    expect(runCount(runReport({ status: "passed", passed: 7, total: 7 }))).toEqual({ passed: 7, total: 7, runStatus: "passed" });
    // A file that does not load has no count to show, only its status.
    expect(runCount(runReport({ status: "compile_error", passed: 0, total: 7 }))).toEqual({ runStatus: "compile_error" });
    expect(runCount(runReport({ status: "module_error" }))).toEqual({ runStatus: "module_error" });
    expect(runCount(null)).toEqual({});
    expect(statusText({ questionId: "q.a", ...runCount(runReport({ status: "failed", passed: 3, total: 7 })) }).text).toContain("$(beaker) 3/7");
    expect(statusText({ questionId: "q.a", ...runCount(runReport({ status: "compile_error", total: 7 })) }).text).toContain("syntax error");
    const stats = statsReport({ streaks: { days: 5, longestDays: 9, practisedToday: true, correct: 2, bestCorrect: 4 } });
    expect(streakOf(stats)).toBe(5);
  });

  it("reads no code lens titles: the pass count comes from data only", async () => {
    const { readFileSync, readdirSync } = await import("node:fs");
    const { join } = await import("node:path");
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
    for (const file of sources(join(__dirname, "..", "src"))) {
      const text = readFileSync(file, "utf8");
      expect(text, file).not.toMatch(/provideCodeLenses/);
      expect(text, file).not.toMatch(/command\??\.title/);
    }
  });
});

describe("dashboard data", () => {
  it("reads module mastery from the typed stats", () => {
    const stats = statsReport({ modules: [moduleStats({ id: "s", name: "Strings", questionsSolved: 3, bankQuestions: 12, masteryPercent: 25, attempts: 5 })] });
    expect(masteryOf(stats)).toEqual([{ id: "s", name: "Strings", percent: 25, solved: 3, total: 12, attempts: 5 }]);
    const over = statsReport({ modules: [moduleStats({ id: "s", name: "Strings", masteryPercent: 140 })] });
    expect(masteryOf(over)[0].percent).toBe(100);
  });

  it("sorts activity by day", () => {
    const stats = statsReport({ activity: [{ day: "2026-01-02", attempts: 2, solved: 1 }, { day: "2026-01-01", attempts: 0, solved: 0 }] });
    expect(activityOf(stats)).toEqual([
      { day: "2026-01-01", attempts: 0, solved: 0 },
      { day: "2026-01-02", attempts: 2, solved: 1 },
    ]);
  });

  it("sums usage rows per model and leaves out models without calls", () => {
    const usage = usageReport({
      rows: [
        { day: "2026-12-05", model: "gemini-flash", feature: "hint", calls: 2, errors: 0, inputTokens: 10, outputTokens: 5 },
        { day: "2026-12-04", model: "gemini-flash", feature: "review", calls: 1, errors: 0, inputTokens: 1, outputTokens: 1 },
        { day: "2026-12-04", model: "idle", feature: "review", calls: 0, errors: 0, inputTokens: 0, outputTokens: 0 },
      ],
    });
    expect(usageOf(usage)).toEqual([{ model: "gemini-flash", calls: 3, inputTokens: 11, outputTokens: 6 }]);
    expect(usageMarkdown(usageReport({ rows: [{ day: "d", model: "a|b", feature: "hint", calls: 1, errors: 0, inputTokens: 0, outputTokens: 0 }] }))).toContain("| a\\|b | 1 | 0 | 0 |");
  });

  it("builds the headline from the stats, with the usage note when usage failed", () => {
    expect(buildDashboard(statsReport(), undefined, "No usage").usageNote).toBe("No usage");
    const full = buildDashboard(
      statsReport({ questionsSolved: 2, bankQuestions: 10, attempts: 3, successPercent: 66.6, timeMs: 120000, reviewsDue: 1, streaks: { days: 1, longestDays: 1, practisedToday: true, correct: 1, bestCorrect: 1 } }),
      usageReport(),
    );
    expect(full.headline.map((h) => `${h.label}=${h.value}`)).toEqual([
      "Questions solved=2 / 10",
      "Submissions=3",
      "Success rate=67%",
      "Day streak=1",
      "Time practised=2 min",
      "Reviews due=1",
    ]);
  });
});

describe("charts", () => {
  it("escapes labels and shows an empty text without data", () => {
    const svg = barChart([{ label: "<script>", value: 50 }], { max: 100, title: "t", emptyText: "none" });
    expect(svg).toContain("&lt;script&gt;");
    expect(svg).not.toContain("<script>");
    expect(barChart([], { title: "t", emptyText: "no <data>" })).toBe('<p class="empty">no &lt;data&gt;</p>');
    expect(columnChart([{ label: "2026-01-01", value: 0 }], { title: "t", emptyText: "none" })).toContain("none");
    expect(columnChart([{ label: "2026-01-01", value: 2, secondary: 1 }], { title: "t", emptyText: "none" })).toContain("<svg");
    expect(escapeHtml(`"'&`)).toBe("&quot;&#39;&amp;");
  });
});

describe("webview shell", () => {
  it("has a strict CSP with the nonce, and WebAssembly only for the Pyodide panel", () => {
    const nonce = makeNonce((n) => new Uint8Array(n).fill(171));
    expect(nonce).toMatch(/^[0-9a-f]{36}$/);
    const plain = contentSecurityPolicy("https://res", nonce, false);
    expect(plain).toContain("default-src 'none'");
    expect(plain).toContain(`script-src 'nonce-${nonce}'`);
    expect(plain).not.toContain("unsafe-inline");
    expect(plain).not.toContain("wasm-unsafe-eval");
    expect(plain).toContain("worker-src 'none'");
    const wasm = contentSecurityPolicy("https://res", nonce, true);
    expect(wasm).toContain("'wasm-unsafe-eval'");
    expect(wasm).toContain("worker-src blob:");
    // The worker imports Pyodide's modules from the bytes the page fetched ahead (blob URLs).
    expect(wasm).toContain(`script-src 'nonce-${nonce}' https://res blob: 'wasm-unsafe-eval'`);
    expect(plain).not.toContain("blob:");
    const html = webviewShell({ cspSource: "https://res", nonce, title: 'a"b', scriptUri: "https://res/p.js", styleUri: "https://res/p.css", body: "<main></main>", data: { worker: 'x"y' } });
    expect(html).toContain(`<script nonce="${nonce}" src="https://res/p.js">`);
    expect(html).toContain('data-worker="x&quot;y"');
    expect(html).toContain("<title>a&quot;b</title>");
    expect(html).not.toContain(`<script nonce="${nonce}">`);
    // A head script (the Pyodide panel's early fetches) runs first: before the stylesheet and the page's script.
    const early = webviewShell({ cspSource: "https://res", nonce, title: "t", scriptUri: "https://res/p.js", styleUri: "https://res/p.css", body: "", headScript: "go()" });
    expect(early.indexOf(`<script nonce="${nonce}">go()</script>`)).toBeGreaterThan(early.indexOf("Content-Security-Policy"));
    expect(early.indexOf(`<script nonce="${nonce}">go()</script>`)).toBeLessThan(early.indexOf("<link rel=\"stylesheet\""));
  });

  it("writes the page's script and stylesheet into the page (nonce'd), only when nothing in them can end their element", () => {
    const nonce = makeNonce((n) => new Uint8Array(n).fill(7));
    expect(contentSecurityPolicy("https://res", nonce, true)).toContain(`style-src https://res 'nonce-${nonce}'`);
    const base = { cspSource: "https://res", nonce, title: "t", scriptUri: "https://res/p.js", styleUri: "https://res/p.css", body: "<main></main>", headScript: "go()" };
    const html = webviewShell({ ...base, inline: { script: "start(1 < 2)", style: "body { color: red }" } });
    expect(html).toContain(`<style nonce="${nonce}">body { color: red }</style>`);
    expect(html).toContain(`<script nonce="${nonce}">start(1 < 2)</script>`);
    expect(html).not.toContain("https://res/p.js");
    expect(html).not.toContain("https://res/p.css");
    // The head script still runs first, the page's script after the body.
    expect(html.indexOf("go()")).toBeLessThan(html.indexOf("<style"));
    expect(html.indexOf("<main></main>")).toBeLessThan(html.indexOf("start(1 < 2)"));
    for (const [script, style] of [
      ['x = "</script><script>alert(1)</script>"', ""],
      ['x = "</SCRIPT >"', ""],
      ["x = 1 <!-- 2", ""],
      ["", "a::after { content: '</style>' }"],
    ]) {
      expect(inlinable(script) && inlinable(style)).toBe(false);
      const byUrl = webviewShell({ ...base, inline: { script, style } });
      expect(byUrl).toContain(`<script nonce="${nonce}" src="https://res/p.js"></script>`);
      expect(byUrl).toContain('<link rel="stylesheet" href="https://res/p.css">');
      expect(byUrl).not.toContain("alert(1)");
    }
  });
});

describe("webview messages", () => {
  const status = { state: "ready", isolated: false, stopMode: "terminate", python: "3.14.2", loadMs: 1500 };
  const result = { events: [{ event: "ready" }], timedOut: { "1": 2 }, crashed: {}, pythonVersion: "3.14.2", durationMs: 3 };

  it("accepts the practice panel's messages", () => {
    expect(parseFromPractice({ type: "ready" })).toEqual({ type: "ready" });
    expect(parseFromPractice({ type: "action", action: "submit" })).toEqual({ type: "action", action: "submit" });
    expect(parseFromPractice({ type: "runtimeStatus", status })).toEqual({ type: "runtimeStatus", status });
    expect(parseFromPractice({ type: "runTestsResult", id: 3, result })).toEqual({ type: "runTestsResult", id: 3, result });
    expect(parseFromPractice({ type: "runTestsError", id: 3, message: "x" })).toEqual({ type: "runTestsError", id: 3, message: "x" });
    expect(parseFromPractice({ type: "snapshot", data: new Uint8Array(2 << 20) })?.type).toBe("snapshot");
  });

  it("drops anything else", () => {
    for (const bad of [
      null,
      "run",
      { type: "action", action: "rm -rf" },
      { type: "action" },
      { type: "executeCommand", command: "workbench.action.terminal.new" },
      { type: "runtimeStatus", status: { ...status, state: "hacked" } },
      { type: "runtimeStatus", status: { ...status, loadMs: "1" } },
      { type: "runTestsResult", id: 0, result },
      { type: "runTestsResult", id: 1.5, result },
      { type: "runTestsResult", id: 1, result: { ...result, timedOut: { "1": "2" } } },
      { type: "runTestsResult", id: 1, result: { ...result, events: [{ no: "event" }] } },
      { type: "runTestsError", id: 1 },
      { type: "snapshot", data: new Uint8Array(10) },
      { type: "snapshot", data: "AAAA" },
    ]) {
      expect(parseFromPractice(bad)).toBeNull();
    }
    expect(parseFromDashboard({ type: "refresh" })).toEqual({ type: "refresh" });
    expect(parseFromDashboard({ type: "open", url: "x" })).toBeNull();
    expect(parseToPractice({ type: "busy", action: "launch" })).toBeNull();
    expect(parseToPractice({ type: "runTests", id: 1, params: {} })).not.toBeNull();
    // No fetch to warm the webview's cache: a panel closed during it made the next one 30 s late (practicePanel.ts).
    expect(parseToPractice({ type: "cacheFile", url: "https://res/a.snapshot" })).toBeNull();
    // A file's bytes posted for the head's script: bytes or null, nothing else.
    const bytes = new Uint8Array([1, 2, 3]);
    expect(parseToPractice({ type: "aheadFile", url: "https://res/a.snapshot", data: bytes })).toEqual({ type: "aheadFile", url: "https://res/a.snapshot", data: bytes });
    expect(parseToPractice({ type: "aheadFile", url: "https://res/a.snapshot", data: null })).not.toBeNull();
    for (const bad of [{ data: "AAAA" }, { data: [1, 2] }, { data: undefined }, { url: 7, data: null }]) {
      expect(parseToPractice({ type: "aheadFile", url: "https://res/a.snapshot", ...bad })).toBeNull();
    }
    expect(parseFromWorker({ type: "event", id: 1, event: 5 })).toBeNull();
    expect(parseFromWorker({ type: "ready", python: "3.14", loadMs: 1 })).toEqual({ type: "ready", python: "3.14", loadMs: 1, fromSnapshot: false });
  });

  it("summarises a graded run", () => {
    const summary = summariseRun(
      runReport({
        status: "failed",
        passed: 1,
        total: 2,
        backend: "pyodide",
        moduleStdout: "hi",
        tests: [
          testReport({ index: 0, call: "f(1)", status: "passed", durationMs: 0.2 }),
          testReport({ index: 1, call: "f(2)", status: "failed", expected: "2", actual: "3", message: "wrong" }),
        ],
        compileError: { type: "SyntaxError", message: "bad", line: 2, col: 1 },
      }),
    );
    expect(summary?.tests).toHaveLength(2);
    expect(summary?.tests[0].duration_ms).toBe(0.2);
    expect(summary?.tests[1]).toMatchObject({ expected: "2", actual: "3", message: "wrong" });
    expect(summary).toMatchObject({ backend: "pyodide", passed: 1, total: 2, module_stdout: "hi", compile_error: { type: "SyntaxError", message: "bad", line: 2 } });
    expect(summariseRun(null)).toBeNull();
  });
});

describe("pytrix/runTests params", () => {
  const good = { request: { protocol: 1, code: "x", tests: [{ index: 0 }] }, harness: "def run_request(x): ...", testTimeout: 2, runTimeout: 10 };

  it("accepts the server's params", () => {
    expect(parseRunTestsParams(good)).toEqual(good);
  });

  it("refuses bad params with a reason", () => {
    const bad: [unknown, RegExp][] = [
      [null, /must be an object/],
      [{ ...good, harness: "print(1)" }, /harness/],
      [{ ...good, request: { ...good.request, code: 1 } }, /request.code/],
      [{ ...good, request: { ...good.request, tests: [{ index: -1 }] } }, /index/],
      [{ ...good, testTimeout: 0 }, /testTimeout/],
      [{ ...good, runTimeout: "10" }, /runTimeout/],
    ];
    for (const [value, reason] of bad) {
      expect(() => parseRunTestsParams(value)).toThrow(InvalidParams);
      expect(() => parseRunTestsParams(value)).toThrow(reason);
    }
  });

  it("parses events and checks results", () => {
    expect(parseEvent('{"event": "begin", "index": 0}')).toEqual({ event: "begin", index: 0 });
    expect(parseEvent("[1]")).toBeNull();
    expect(parseEvent("{")).toBeNull();
    expect(isRunTestsResult({ events: [], timedOut: {}, crashed: {}, pythonVersion: "3", durationMs: 1, moduleFailure: 3 })).toBe(false);
  });
});

describe("AI command answers and the server log", () => {
  it("renders the evaluate and optimise answers' markdown, and nothing for a refused optimisation", () => {
    const review = { verdict: "correct", markdown: "**Good**", source: "offline" as const, notice: null, findings: [] };
    expect(reviewMarkdown("Evaluation", "q.a", review)).toBe("# Evaluation: q.a\n\n**Good**\n");
    const optimised = { allowed: true, message: "Faster", solution: "x", complexity: "O(n)", explanation: null, growth: null, source: "bank" as const, notice: null, markdown: "## Faster", uri: null };
    expect(reviewMarkdown("Optimisation", "q.a", optimised)).toContain("## Faster");
    expect(reviewMarkdown("Optimisation", "q.a", { ...optimised, allowed: false, markdown: "" })).toBeNull();
    expect(reviewMarkdown("Evaluation", "q.a", null)).toBeNull();
  });

  it("leaves the JSON-RPC traffic out of the output channel", () => {
    expect(isTrafficLine("2026-11-25 13:16:26,932 INFO pygls.protocol.json_rpc: Sending data: {...}")).toBe(true);
    expect(isTrafficLine("2026-11-25 13:16:26,932 WARNING pytrix.lsp: run failed")).toBe(false);
  });
});

describe("the runTests answer on the wire", () => {
  it("sends timeouts and crashes as lists of records, never maps keyed by index", () => {
    const wire = toWireResult({
      events: [{ event: "ready" }],
      timedOut: { "0": 1.5 },
      crashed: { "2": "Stopped from the practice panel." },
      pythonVersion: "3.14.2",
      durationMs: 12,
      moduleFailure: "The file could not be loaded",
    });
    expect(wire.timedOut).toEqual([{ index: 0, seconds: 1.5 }]);
    expect(wire.crashed).toEqual([{ index: 2, message: "Stopped from the practice panel." }]);
    expect(wire.moduleFailure).toBe("The file could not be loaded");
    expect(JSON.stringify(wire)).not.toMatch(/"\d+":/);
    const clean = toWireResult({ events: [], timedOut: {}, crashed: {}, pythonVersion: "3", durationMs: 1 });
    expect(clean).toEqual({ events: [], timedOut: [], crashed: [], pythonVersion: "3", durationMs: 1 });
  });
});

describe("server state and crash loops", () => {
  it("restarts a crashed server until it crashes three times in three minutes", () => {
    const now = 1_000_000;
    expect(shouldRestart([now], now)).toBe(true);
    expect(shouldRestart([now - 1000, now], now)).toBe(true);
    expect(shouldRestart([now - 2000, now - 1000, now], now)).toBe(false);
    expect(shouldRestart([now - 400_000, now - 300_000, now], now)).toBe(true);
    expect(CRASH_LOOP_MESSAGE).toMatch(/will not be restarted.*output/);
  });

  it("shows in the status bar whether the server runs", () => {
    const base = { questionId: null };
    expect(statusText({ ...base, server: { state: "starting" } }).text).toMatch(/^\$\(loading~spin\)/);
    const down = statusText({ ...base, server: { state: "failed", detail: "no Python 3.11+" } });
    expect(down.text).toMatch(/^\$\(warning\)/);
    expect(down.tooltip).toMatch(/not running: no Python 3\.11\+ \(click for the log\)/);
    const up = statusText({ ...base, server: { state: "running", detail: "Python 3.11.2, pytrix 0.2.0" } });
    expect(up.text).not.toMatch(/warning|loading/);
    expect(up.tooltip).toMatch(/server running \(Python 3\.11\.2, pytrix 0\.2\.0\)/);
  });
});

describe("the practice panel's test details", () => {
  const failing = { index: 0, call: "f(1)", status: "failed", expected: "3", actual: "None" };
  it("shows expected and got once, not again inside the message", () => {
    expect(testDetails({ ...failing, message: "expected 3, got None" })).toEqual([
      { kind: "expected", text: "expected: 3" },
      { kind: "actual", text: "got:      None" },
    ]);
  });
  it("leads with the cause when the server explains the failure", () => {
    const lines = testDetails({ ...failing, message: "You printed 3 but returned nothing. (expected 3, got None)", explanation: "You printed 3 but returned nothing." });
    expect(lines.map((l) => l.kind)).toEqual(["message", "expected", "actual"]);
    expect(lines[0].text).toBe("You printed 3 but returned nothing.");
  });
  it("keeps other messages, hides hidden tests' values, and says nothing for a pass", () => {
    expect(testDetails({ index: 1, call: "f(2)", status: "error", message: "ZeroDivisionError: division by zero", expected: "1", actual: null })).toEqual([
      { kind: "message", text: "ZeroDivisionError: division by zero" },
      { kind: "expected", text: "expected: 1" },
    ]);
    expect(testDetails({ ...failing, hidden: true, message: "hidden test failed" })).toEqual([{ kind: "message", text: "hidden test failed" }]);
    expect(testDetails({ ...failing, status: "passed" })).toEqual([]);
  });
  it("carries the explanation through summariseRun", () => {
    const summary = summariseRun(runReport({ status: "failed", passed: 0, total: 1, tests: [testReport({ index: 0, call: "f(1)", status: "failed", explanation: "Why." })] }));
    expect(summary?.tests[0].explanation).toBe("Why.");
  });
});

describe("the API usage report", () => {
  const report = usageReport({
    rows: [
      { day: "2026-12-05", model: "gemini-2.5-flash", feature: "hint", calls: 2, errors: 0, inputTokens: 100, outputTokens: 40 },
      { day: "2026-12-04", model: "gemini-2.5-flash", feature: "review", calls: 1, errors: 1, inputTokens: 50, outputTokens: 10 },
    ],
    totals: { calls: 3, errors: 1, inputTokens: 150, outputTokens: 50 },
    today: "2026-12-05",
    caps: { session: { used: 3, cap: 50 }, today: { hint: { used: 2, cap: 30 } } },
    key: { hasKey: false, source: null, enabled: true },
    models: ["gemini-2.5-flash", "gemini-2.5-flash-lite"],
  });
  it("sums the server's rows per model", () => {
    expect(usageOf(report)).toEqual([{ model: "gemini-2.5-flash", calls: 3, inputTokens: 150, outputTokens: 50 }]);
  });
  it("keeps the key status, the caps and the models, with a table header even when empty", () => {
    const text = usageMarkdown(report);
    expect(text).toMatch(/no key is set: run \*Pytrix: Set Gemini API Key\*/);
    expect(text).toContain("| gemini-2.5-flash | 3 | 150 | 50 |");
    expect(text).toContain("| this session | 3 | 50 |");
    expect(text).toContain("| hint today | 2 | 30 |");
    expect(text).toMatch(/Models, in the order they are tried:\*\* `gemini-2\.5-flash`, `gemini-2\.5-flash-lite`/);
    const empty = usageMarkdown({ ...report, rows: [] });
    expect(empty).toContain("| Model | Calls | Input tokens | Output tokens |");
    expect(empty).toContain("*no AI calls recorded yet*");
  });
});

describe("bar charts with long module names", () => {
  it("shows names of up to 44 characters in full and widens the label column for them", () => {
    const svg = barChart([{ label: "Comprehensions and Generators", value: 40 }, { label: "Functions", value: 10 }], { title: "Mastery", emptyText: "none" });
    expect(svg).toContain(">Comprehensions and Generators</text>");
    const long = "A".repeat(60);
    const cut = barChart([{ label: long, value: 1 }], { title: "Mastery", emptyText: "none" });
    expect(cut).toContain(`>${"A".repeat(43)}…</text>`);
    expect(cut).toContain(`<title>${long}: 1</title>`);
  });
});

describe("settings sent to the server", () => {
  it("are every declared pytrix.* key but the client-only ones", async () => {
    const { serverSettingKeys, pickSettings } = await import("../src/lib/settings");
    const packageJson = await import("../package.json");
    const keys = serverSettingKeys(packageJson);
    expect(keys).toContain("debounceMs");
    expect(keys).toContain("aiDailyHints");
    expect(keys).toContain("autoReviewEvery");
    expect(keys.some((k) => k.startsWith("server.") || k.startsWith("trace."))).toBe(false);
    const values: Record<string, unknown> = { debounceMs: 100, runtime: undefined };
    expect(pickSettings((k) => values[k], ["debounceMs", "runtime"])).toEqual({ debounceMs: 100 });
  });
});

describe("one header rule with the server", () => {
  it("reads every shared case as the server does (tests/fixtures/header_cases.json)", async () => {
    const { readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const shared = JSON.parse(readFileSync(join(__dirname, "..", "..", "tests", "fixtures", "header_cases.json"), "utf8")) as {
      cases: { text: string; id: string | null }[];
    };
    expect(shared.cases.length).toBeGreaterThanOrEqual(10);
    for (const c of shared.cases) expect([c.text, questionIdOf(c.text)]).toEqual([c.text, c.id]);
  });
});
