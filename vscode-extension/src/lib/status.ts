/**
 * The status bar's text: the current question, its pass count, the streak.
 * Pass counts come from run results or from the server's code lens titles
 * ("3/7 passing"); the streak from `pytrix/stats` (any of its known shapes).
 */

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

/** "3/7 passing" (a code lens title) -> {passed: 3, total: 7}. */
export function passCountFromLens(title: string): { passed: number; total: number } | null {
  const match = /(\d+)\s*\/\s*(\d+)\s+pass/.exec(title);
  return match ? { passed: Number(match[1]), total: Number(match[2]) } : null;
}

/** The streak in days from `pytrix/stats`, whatever version of it the server speaks. */
export function streakDays(stats: unknown): number | undefined {
  if (typeof stats !== "object" || stats === null) return undefined;
  const s = stats as Record<string, unknown>;
  const candidates = [
    (s.streaks as Record<string, unknown> | undefined)?.days,
    (s.streak as Record<string, unknown> | undefined)?.days,
    s.streak,
    s.streak_days,
    s.current_streak,
  ];
  for (const value of candidates) {
    if (typeof value === "number" && Number.isFinite(value)) return value;
  }
  return undefined;
}
