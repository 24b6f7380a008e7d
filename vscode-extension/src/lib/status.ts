/**
 * The status bar's text: the current question, its pass count, the streak.
 * Everything comes as data from the server's typed answers (generated from
 * its response models): pass counts and the run's status from a `RunReport`
 * (`pytrix/lastResult`, or a run or submit command), the streak from
 * `pytrix/stats` (`StatsReport.streaks.days`).
 */

import type { RunReport, StatsReport } from "../generated/protocol";

export interface StatusInput {
  questionId: string | null;
  passed?: number;
  total?: number;
  /** "compile_error" | "module_error" | ... from the last run. */
  runStatus?: string;
  streakDays?: number;
  running?: boolean;
  /** The language server's state, and what it is (or why it is not running). */
  server?: ServerState;
}

export interface ServerState {
  state: "starting" | "running" | "failed" | "stopped";
  detail?: string;
}

export function statusText(input: StatusInput): { text: string; tooltip: string } {
  const parts: string[] = [];
  const tips: string[] = [];
  if (input.questionId) {
    parts.push(`$(mortar-board) ${input.questionId}`);
    tips.push(`Practising ${input.questionId}`);
    if (input.running) {
      parts.push("$(sync~spin)");
      tips.push("running the tests");
    } else if (input.runStatus === "compile_error") {
      parts.push("$(error) syntax error");
      tips.push("the file does not compile");
    } else if (input.runStatus === "module_error") {
      parts.push("$(error) load error");
      tips.push("the file fails while loading");
    } else if (input.total !== undefined && input.passed !== undefined) {
      const icon = input.total > 0 && input.passed === input.total ? "$(pass-filled)" : "$(beaker)";
      parts.push(`${icon} ${input.passed}/${input.total}`);
      tips.push(`${input.passed} of ${input.total} tests pass`);
    }
  } else {
    parts.push("$(mortar-board) Pytrix");
    tips.push("Pytrix: open a practice file or start a new question");
  }
  if (input.streakDays !== undefined && input.streakDays > 0) {
    parts.push(`$(flame) ${input.streakDays}`);
    tips.push(`${input.streakDays}-day streak`);
  }
  const server = input.server;
  if (server?.state === "starting") {
    parts.unshift("$(loading~spin)");
    tips.push("the Pytrix server is starting");
  } else if (server?.state === "failed" || server?.state === "stopped") {
    parts.unshift("$(warning)");
    tips.push(`the Pytrix server is not running${server.detail ? `: ${server.detail}` : ""} (click for the log)`);
  } else if (server?.state === "running") {
    tips.push(`server running${server.detail ? ` (${server.detail})` : ""}`);
  }
  return { text: parts.join("  "), tooltip: tips.join("; ") };
}

/** What the status bar shows of a run: its pass count, or only its status when the file did not load. */
export interface RunCount {
  passed?: number;
  total?: number;
  runStatus?: string;
}

/** The status bar's count from a graded run (none yet: nothing to show). */
export function runCount(run: RunReport | null | undefined): RunCount {
  if (!run) return {};
  if (run.status === "compile_error" || run.status === "module_error") return { runStatus: run.status };
  return { passed: run.passed, total: run.total, runStatus: run.status };
}

/** The current streak in days, from `pytrix/stats`. */
export function streakOf(stats: StatsReport): number {
  return stats.streaks.days;
}
