// The Pyodide worker in headless Chromium, loaded exactly as the practice
// panel loads it (blob module worker, bundled runtime), served twice:
// - with COOP/COEP (cross-origin isolated): stuck tests are interrupted
//   through the SharedArrayBuffer interrupt buffer; the latency is measured;
// - without them: stuck tests are stopped by terminating the worker.
// Writes the raw runTests answers to $OUT (JSON) so pytest can grade them with
// the server's grader and compare with the subprocess sandbox.
//
// Usage: node browser_worker.mjs OUT.json

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { EXTENSION, RUNTIME_PAGE, harnessCases, launchChromium, serve } from "./support.mjs";

const out = process.argv[2];
if (!out) {
  console.error("usage: node browser_worker.mjs OUT.json");
  process.exit(2);
}

const { cases } = harnessCases(1, 4); // the run limit: RUN_TIMEOUT in test_vscode.py (the top-level loop runs until it)
const report = { modes: {} };
const browser = await launchChromium();
try {
  for (const isolated of [true, false]) {
    const mode = isolated ? "isolated" : "plain";
    const server = await serve(join(EXTENSION, "out"), { isolated, pages: { "/": RUNTIME_PAGE } });
    const page = await browser.newPage();
    const logs = [];
    page.on("console", (msg) => logs.push(msg.text()));
    page.on("pageerror", (err) => logs.push(`pageerror: ${err.message}`));
    try {
      await page.goto(`${server.url}/`);
      await page.waitForFunction(() => window.pageReady === true);
      const crossOriginIsolated = await page.evaluate(() => window.crossOriginIsolated);
      const status = await page.evaluate(() => window.makeRuntime());
      const started = Date.now();
      const python = await page.evaluate(() => window.runtime.start());
      const coldMs = Date.now() - started;
      const results = {};
      for (const [name, item] of Object.entries(cases)) {
        const begun = Date.now();
        const answer = await page.evaluate((params) => window.runtime.run(params), item.params);
        const after = await page.evaluate(() => window.runtime.current);
        results[name] = { answer, wallMs: Date.now() - begun, status: after };
      }
      // The learner presses Stop during an endless loop (test limit 30 s).
      const stopped = await page.evaluate(async (params) => {
        const p = { ...params, testTimeout: 30, runTimeout: 60 };
        // Stop once the test is under way: wait for its "begin" event, not a fixed time.
        const begun = window.nextWorkerEvent("begin");
        const pending = window.runtime.run(p);
        await begun;
        const before = { ...window.runtime.current };
        const t = performance.now();
        window.runtime.stop("Stopped from the practice panel.");
        const answer = await pending;
        return { answer, stopMs: performance.now() - t, before };
      }, cases.loop.params);
      results.user_stop = { answer: stopped.answer, wallMs: stopped.stopMs, before: stopped.before,
                            status: await page.evaluate(() => window.runtime.current) };
      // The runtime still works after all of that.
      const again = await page.evaluate((params) => window.runtime.run(params), cases.solution.params);
      report.modes[mode] = { crossOriginIsolated, status, python, coldMs, results, again, logs };
    } catch (error) {
      report.modes[mode] = { error: String(error?.stack ?? error), logs };
      console.log(logs.join("\n"));
    } finally {
      await page.close();
      await server.close();
    }
  }
} finally {
  await browser.close();
}
writeFileSync(out, JSON.stringify(report, null, 1));
for (const [mode, data] of Object.entries(report.modes)) {
  if (data.error) {
    console.log(`${mode}: ERROR ${data.error}`);
    continue;
  }
  console.log(`${mode}: isolated=${data.crossOriginIsolated} python=${data.python} cold=${data.coldMs}ms`);
  for (const [name, r] of Object.entries(data.results)) {
    console.log(
      `  ${name}: ${r.wallMs}ms events=${r.answer.events.length} timedOut=${JSON.stringify(r.answer.timedOut)}` +
        ` crashed=${JSON.stringify(r.answer.crashed)} interrupt=${r.status.lastInterruptMs?.toFixed?.(1)}` +
        ` ${r.answer.moduleFailure ?? ""}`,
    );
  }
}
