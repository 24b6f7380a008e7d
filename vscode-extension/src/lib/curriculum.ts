/**
 * The curriculum tree from `pytrix/curriculum`, turned into the four quick
 * pick levels of "New Question": module -> subtopic -> problem type ->
 * difficulty. Levels without a bank question are left out, so every path
 * ends at a question.
 */

export const DIFFICULTIES = ["beginner", "intermediate", "advanced"] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

export interface ProblemTypeNode {
  id: string;
  name: string;
  description?: string;
  questions: Partial<Record<Difficulty, string[]>>;
}

export interface SubtopicNode {
  id: string;
  name: string;
  section_number?: string;
  description?: string;
  problem_types: ProblemTypeNode[];
}

export interface ModuleNode {
  id: string;
  name: string;
  order?: number;
  overview?: string;
  subtopics: SubtopicNode[];
}

export interface CurriculumTree {
  version?: unknown;
  modules: ModuleNode[];
}

export interface PickItem<T> {
  label: string;
  description?: string;
  detail?: string;
  value: T;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Validate the `pytrix/curriculum` answer, dropping malformed nodes. */
export function parseCurriculum(raw: unknown): CurriculumTree {
  if (!isRecord(raw) || !Array.isArray(raw.modules)) {
    throw new Error("The server's curriculum has no modules list.");
  }
  const modules: ModuleNode[] = [];
  for (const m of raw.modules) {
    if (!isRecord(m) || typeof m.id !== "string") continue;
    const subtopics: SubtopicNode[] = [];
    for (const s of Array.isArray(m.subtopics) ? m.subtopics : []) {
      if (!isRecord(s) || typeof s.id !== "string") continue;
      const problemTypes: ProblemTypeNode[] = [];
      for (const p of Array.isArray(s.problem_types) ? s.problem_types : []) {
        if (!isRecord(p) || typeof p.id !== "string") continue;
        const questions: Partial<Record<Difficulty, string[]>> = {};
        const q = isRecord(p.questions) ? p.questions : {};
        for (const d of DIFFICULTIES) {
          const ids = q[d];
          questions[d] = Array.isArray(ids) ? ids.filter((x): x is string => typeof x === "string") : [];
        }
        problemTypes.push({ id: p.id, name: text(p.name) ?? p.id, description: text(p.description), questions });
      }
      subtopics.push({
        id: s.id,
        name: text(s.name) ?? s.id,
        section_number: text(s.section_number),
        description: text(s.description),
        problem_types: problemTypes,
      });
    }
    modules.push({ id: m.id, name: text(m.name) ?? m.id, order: typeof m.order === "number" ? m.order : undefined, overview: text(m.overview), subtopics });
  }
  return { version: raw.version, modules };
}

export function problemTypeCount(p: ProblemTypeNode): number {
  return DIFFICULTIES.reduce((sum, d) => sum + (p.questions[d]?.length ?? 0), 0);
}

export function subtopicCount(s: SubtopicNode): number {
  return s.problem_types.reduce((sum, p) => sum + problemTypeCount(p), 0);
}

export function moduleCount(m: ModuleNode): number {
  return m.subtopics.reduce((sum, s) => sum + subtopicCount(s), 0);
}

function plural(n: number): string {
  return `${n} question${n === 1 ? "" : "s"}`;
}

export function moduleItems(tree: CurriculumTree): PickItem<ModuleNode>[] {
  return tree.modules
    .filter((m) => moduleCount(m) > 0)
    .map((m) => ({ label: m.name, description: plural(moduleCount(m)), detail: m.overview, value: m }));
}

export function subtopicItems(module: ModuleNode): PickItem<SubtopicNode>[] {
  return module.subtopics
    .filter((s) => subtopicCount(s) > 0)
    .map((s) => ({
      label: s.section_number ? `${s.section_number} ${s.name}` : s.name,
      description: plural(subtopicCount(s)),
      detail: s.description,
      value: s,
    }));
}

export function problemTypeItems(subtopic: SubtopicNode): PickItem<ProblemTypeNode>[] {
  return subtopic.problem_types
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

/** The params of `pytrix/newQuestion` for a finished pick. */
export function newQuestionParams(module: ModuleNode, problemType: ProblemTypeNode, difficulty: Difficulty): Record<string, unknown> {
  return { module: module.id, problemType: problemType.id, difficulty, open: true };
}
