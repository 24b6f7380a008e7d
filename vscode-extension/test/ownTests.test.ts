/**
 * The learner's own tests (`# test:` lines) in the practice panel: rows marked
 * "yours" with their line, and never part of the pass count.
 */
import { describe, expect, it } from "vitest";
import { summariseRun, testHeading } from "../src/lib/messages";
import { runReport, testReport } from "./protocolFixtures";

const run = runReport({
  status: "passed",
  passed: 1,
  total: 1,
  tests: [
    testReport({ index: 0, call: "add(1, 1)", status: "passed" }),
    testReport({ index: 1, call: "add(2, 3)", status: "failed", expected: "6", actual: "5", own: true, line: 12 }),
    testReport({ index: 2, call: "add(0, 0)", status: "passed", own: true, line: 13 }),
  ],
});

describe("the practice panel's rows for the learner's own tests", () => {
  it("carries own and line through summariseRun, and only for own tests", () => {
    const summary = summariseRun(run);
    expect(summary?.tests.map((t) => [t.own ?? false, t.line ?? null])).toEqual([
      [false, null],
      [true, 12],
      [true, 13],
    ]);
    expect(summary?.tests[0]).not.toHaveProperty("own");
  });

  it("marks an own test's row as yours, with its line", () => {
    const [question, failing, passing] = summariseRun(run)?.tests ?? [];
    expect(testHeading(question)).toBe("✓ add(1, 1)");
    expect(testHeading(failing)).toBe("✗ add(2, 3) — yours (line 12)");
    expect(testHeading(passing)).toBe("✓ add(0, 0) — yours (line 13)");
    expect(testHeading({ index: 3, call: "hidden", status: "timeout", hidden: true })).toBe("⏱ hidden test");
  });

  it("takes the pass count from the server's data, which leaves own tests out", () => {
    const summary = summariseRun(run);
    expect([summary?.passed, summary?.total]).toEqual([1, 1]);
  });
});
