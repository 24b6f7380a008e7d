/**
 * "New Question…" with a Gemini key, and what follows a new practice file: the
 * learner chooses the bank or "Generate with AI" for the chosen problem type and
 * difficulty, and a notice the server attaches to the file (a set whose questions
 * come round again, or why no AI question was made) is shown with a
 * "Generate with AI" button when its `aiOffer` says generation is offered. The
 * server decides; this module only turns its answers into VS Code's choices.
 */

import type { KeyStatus, NewQuestionReport, ProblemTypeNode } from "../generated/protocol";
import type { Difficulty, PickItem } from "./curriculum";

export type QuestionSource = "bank" | "ai";
export const GENERATE_WITH_AI = "Generate with AI";

/** Whether New Question… offers AI generation: a key is set (the editor's or the environment's) and the AI is on. */
export function canGenerate(key: KeyStatus | null | undefined): boolean {
  return Boolean(key?.hasKey && key.enabled);
}

/** The last step of New Question… with a key: the bank's questions or a new AI one of the same kind. */
export function sourceItems(problemType: ProblemTypeNode, difficulty: Difficulty): PickItem<QuestionSource>[] {
  const count = problemType.questions[difficulty]?.length ?? 0;
  return [
    {
      label: "From the bank",
      description: `${count} question${count === 1 ? "" : "s"}`,
      detail: `The next ${difficulty} ${problemType.name} question from Pytrix's bank.`,
      value: "bank",
    },
    {
      label: GENERATE_WITH_AI,
      description: "with your Gemini key",
      detail: `A new ${difficulty} ${problemType.name} question written by Gemini and checked in the sandbox before you see it.`,
      value: "ai",
    },
  ];
}

/** The params of `pytrix/newQuestion` that generate a question of a problem type and difficulty. */
export function aiQuestionParams(problemType: string, difficulty: string): Record<string, unknown> {
  return { source: "ai", problemType, difficulty, open: true };
}

export interface NoticeToShow {
  text: string;
  /** A warning when an AI question was asked for and the bank's came instead. */
  warning: boolean;
  /** The button and the `pytrix/newQuestion` params it sends, when the notice offers AI generation. */
  action: { label: string; params: Record<string, unknown> } | null;
}

/** What to tell the learner about a new practice file, if anything. */
export function noticeOf(report: NewQuestionReport, askedForAi: boolean): NoticeToShow | null {
  if (!report.notice) return null;
  const offer = report.aiOffer;
  return {
    text: report.notice,
    warning: askedForAi && report.source !== "ai",
    action: offer ? { label: GENERATE_WITH_AI, params: aiQuestionParams(offer.problemType, offer.difficulty) } : null,
  };
}
