/** Server answers for the unit tests, typed by the generated protocol (a changed model breaks them at compile time). */

import type { CurriculumReport, ModuleStats, RunReport, StatsReport, TestReport, UsageReport } from "../src/generated/protocol";

export function testReport(over: Partial<TestReport> & Pick<TestReport, "index" | "call" | "status">): TestReport {
  return {
    actual: null, actualFull: null, cause: null, cpuBudgetMs: null, cpuMs: null, durationMs: 0, error: null,
    expected: null, expectedFull: null, explanation: null, hidden: false, line: null, message: "", own: false,
    stdout: "", stdoutTruncated: false, stoppedLine: null, ...over,
  };
}

export function runReport(over: Partial<RunReport> = {}): RunReport {
  return {
    backend: "subprocess", compileError: null, durationMs: 12, message: "", moduleError: null, moduleStdout: "",
    passed: 0, protocol: 1, python: "3.11.7", questionId: "q.a", status: "failed", tests: [], total: 0, ...over,
  };
}

export function moduleStats(over: Partial<ModuleStats> & Pick<ModuleStats, "id" | "name">): ModuleStats {
  return {
    attempts: 0, averageTimeMs: 0, bankQuestions: 0, lastAttemptAt: null, masteryPercent: 0, questionsAttempted: 0,
    questionsSolved: 0, solved: 0, subtopics: [], successPercent: 0, timeMs: 0, ...over,
  };
}

export function statsReport(over: Partial<StatsReport> = {}): StatsReport {
  return {
    activity: [], attempts: 0, averageTimeMs: 0, bankQuestions: 583, generatedAt: 0, lastAttemptAt: null,
    masteryPercent: 0, modules: [], modulesTouched: 0, problemTypesTouched: 0, questionsAttempted: 0,
    questionsSolved: 0, recent: [], reviewsDue: 0, solved: 0,
    streaks: { bestCorrect: 0, correct: 0, days: 0, longestDays: 0, practisedToday: false },
    subtopicsTouched: 0, successPercent: 0, timeMs: 0, version: 2, ...over,
  };
}

export function usageReport(over: Partial<UsageReport> = {}): UsageReport {
  return {
    rows: [], totals: { calls: 0, errors: 0, inputTokens: 0, outputTokens: 0 }, today: "2026-12-05",
    caps: { session: { used: 0, cap: 200 }, today: {} }, key: { hasKey: false, source: null, enabled: true },
    models: ["gemini-2.5-flash"], ...over,
  };
}

export const CURRICULUM: CurriculumReport = {
  version: "1.0.0",
  modules: [
    {
      id: "strings", name: "Strings", order: 1, overview: "Text", pythonConsiderations: [], problemArchetypes: [],
      subtopics: [
        {
          id: "basic", name: "Basics", sectionNumber: "1.1", description: "",
          problemTypes: [
            { id: "reversal", name: "Reversal", description: "", questions: { beginner: ["reversal.beginner"], intermediate: [], advanced: ["reversal.advanced"] } },
            { id: "empty", name: "Empty", description: "", questions: { beginner: [], intermediate: [], advanced: [] } },
          ],
        },
        { id: "none", name: "Nothing yet", sectionNumber: "1.2", description: "", problemTypes: [] },
      ],
    },
    { id: "later", name: "Later", order: 2, overview: "Soon", pythonConsiderations: [], problemArchetypes: [], subtopics: [] },
  ],
};
