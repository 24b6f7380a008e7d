/**
 * The curriculum tree from `pytrix/curriculum`, turned into the four quick
 * pick levels of "New Question": module -> subtopic -> problem type ->
 * difficulty. Levels without a bank question are left out, so every path
 * ends at a question.
 */

import type { CurriculumReport, ModuleNode, ProblemTypeNode, SubtopicNode } from "../generated/protocol";

export const DIFFICULTIES = ["beginner", "intermediate", "advanced"] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

export type { CurriculumReport as CurriculumTree, ModuleNode, ProblemTypeNode, SubtopicNode } from "../generated/protocol";

export interface PickItem<T> {
  label: string;
  description?: string;
  detail?: string;
  value: T;
}

/** Check the `pytrix/curriculum` answer has its modules list (an older server may not). */
export function parseCurriculum(raw: CurriculumReport): CurriculumReport {
  if (typeof raw !== "object" || raw === null || !Array.isArray(raw.modules)) {
    throw new Error("The server's curriculum has no modules list.");
  }
  return raw;
}

export function problemTypeCount(p: ProblemTypeNode): number {
  return DIFFICULTIES.reduce((sum, d) => sum + (p.questions[d]?.length ?? 0), 0);
}

export function subtopicCount(s: SubtopicNode): number {
  return s.problemTypes.reduce((sum, p) => sum + problemTypeCount(p), 0);
}

export function moduleCount(m: ModuleNode): number {
  return m.subtopics.reduce((sum, s) => sum + subtopicCount(s), 0);
}

function plural(n: number): string {
  return `${n} question${n === 1 ? "" : "s"}`;
}

export function moduleItems(tree: CurriculumReport): PickItem<ModuleNode>[] {
  return tree.modules
    .filter((m) => moduleCount(m) > 0)
    .map((m) => ({ label: m.name, description: plural(moduleCount(m)), detail: m.overview, value: m }));
}

export function subtopicItems(module: ModuleNode): PickItem<SubtopicNode>[] {
  return module.subtopics
    .filter((s) => subtopicCount(s) > 0)
    .map((s) => ({
      label: s.sectionNumber ? `${s.sectionNumber} ${s.name}` : s.name,
      description: plural(subtopicCount(s)),
      detail: s.description,
      value: s,
    }));
}

export function problemTypeItems(subtopic: SubtopicNode): PickItem<ProblemTypeNode>[] {
  return subtopic.problemTypes
    .filter((p) => problemTypeCount(p) > 0)
    .map((p) => ({ label: p.name, description: plural(problemTypeCount(p)), detail: p.description, value: p }));
}

export function difficultyItems(problemType: ProblemTypeNode): PickItem<Difficulty>[] {
  return DIFFICULTIES.filter((d) => (problemType.questions[d]?.length ?? 0) > 0).map((d) => ({
    label: d[0].toUpperCase() + d.slice(1),
    description: plural(problemType.questions[d]?.length ?? 0),
    value: d,
  }));
}

/** The params of `pytrix/newQuestion` for a finished pick (`source: "ai"`: generated with the learner's key). */
export function newQuestionParams(
  module: ModuleNode,
  problemType: ProblemTypeNode,
  difficulty: Difficulty,
  source: "bank" | "ai" = "bank",
): Record<string, unknown> {
  const params: Record<string, unknown> = { module: module.id, problemType: problemType.id, difficulty, open: true };
  if (source === "ai") params.source = "ai";
  return params;
}
