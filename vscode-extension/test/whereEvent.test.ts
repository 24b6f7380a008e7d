import { describe, expect, it } from "vitest";
import { whereEvent } from "../src/lib/whereEvent";

const raised = (error: Record<string, unknown>, index: unknown = 2): string =>
  JSON.stringify({ event: "test", index, outcome: "raised", error, stdout: "" });

describe("whereEvent", () => {
  it("turns an interrupted test into the line it was running", () => {
    expect(JSON.parse(whereEvent(raised({ type: "KeyboardInterrupt", message: "", line: 6 })) ?? "null"))
      .toEqual({ event: "where", index: 2, line: 6 });
  });

  it("ignores every other event", () => {
    expect(whereEvent(raised({ type: "ValueError", message: "x", line: 6 }))).toBeNull();
    expect(whereEvent(raised({ type: "KeyboardInterrupt", message: "", line: null }))).toBeNull();
    expect(whereEvent(raised({ type: "KeyboardInterrupt", message: "", line: 0 }))).toBeNull();
    expect(whereEvent(raised({ type: "KeyboardInterrupt", message: "", line: 3 }, "1"))).toBeNull();
    expect(whereEvent(JSON.stringify({ event: "begin", index: 1 }))).toBeNull();
    expect(whereEvent(JSON.stringify({ event: "test", index: 1, outcome: "returned", value: ["none"] }))).toBeNull();
    expect(whereEvent("not json")).toBeNull();
    expect(whereEvent("null")).toBeNull();
  });
});
