import { describe, expect, it } from "vitest";
import { newQuestionParams, parseCurriculum, type Difficulty } from "../src/lib/curriculum";
import { aiQuestionParams, canGenerate, GENERATE_WITH_AI, noticeOf, sourceItems } from "../src/lib/newQuestion";
import type { NewQuestionReport } from "../src/generated/protocol";
import { CURRICULUM } from "./protocolFixtures";

const module = parseCurriculum(CURRICULUM).modules[0];
const reversal = module.subtopics[0].problemTypes[0];

function report(fields: Partial<NewQuestionReport>): NewQuestionReport {
  return {
    questionId: "reversal.beginner", title: "Reverse", path: "/ws/r.py", uri: "file:///ws/r.py",
    questionUri: "pytrix:/question/reversal.beginner.md", shown: true, source: "bank", notice: null,
    auto: null, attemptId: null, aiOffer: null, ...fields,
  };
}

describe("New Question… with a Gemini key", () => {
  it("offers AI generation only with a key and the AI on", () => {
    expect(canGenerate({ hasKey: true, source: "client", enabled: true })).toBe(true);
    expect(canGenerate({ hasKey: true, source: "environment", enabled: false })).toBe(false);
    expect(canGenerate({ hasKey: false, source: null, enabled: true })).toBe(false);
    expect(canGenerate(null)).toBe(false);
  });

  it("lets the learner choose the bank or Generate with AI for the chosen problem type and difficulty", () => {
    const items = sourceItems(reversal, "advanced" as Difficulty);
    expect(items.map((i) => [i.label, i.value])).toEqual([["From the bank", "bank"], [GENERATE_WITH_AI, "ai"]]);
    expect(items[0].description).toBe("1 question");
    expect(items[1].detail).toContain("advanced Reversal");
    expect(newQuestionParams(module, reversal, "advanced", "ai")).toEqual({
      module: "strings", problemType: "reversal", difficulty: "advanced", open: true, source: "ai",
    });
    expect(newQuestionParams(module, reversal, "advanced", "bank")).not.toHaveProperty("source");
  });
});

describe("a new practice file's notice", () => {
  it("says nothing without one", () => {
    expect(noticeOf(report({}), false)).toBeNull();
  });

  it("carries a Generate with AI button that asks for the offered problem type and difficulty", () => {
    const shown = noticeOf(report({
      notice: "You have had all 10 questions of this choice; they come round again.",
      aiOffer: { problemType: "reversal", difficulty: "beginner" },
    }), false);
    expect(shown).toEqual({
      text: "You have had all 10 questions of this choice; they come round again.",
      warning: false,
      action: { label: GENERATE_WITH_AI, params: aiQuestionParams("reversal", "beginner") },
    });
    expect(shown?.action?.params).toEqual({ source: "ai", problemType: "reversal", difficulty: "beginner", open: true });
  });

  it("warns, without a button, when an AI question was asked for and the bank's came", () => {
    const fallback = noticeOf(report({ notice: "The AI tutor is turned off. Here is a question from the bank instead." }), true);
    expect(fallback).toMatchObject({ warning: true, action: null });
    const made = noticeOf(report({ source: "ai", notice: "note" }), true);
    expect(made?.warning).toBe(false);
  });
});
