/* Generated from server/pytrix/responses.py by scripts/generate_types.mjs: do not edit. Run `npm run generate-types`. */

/**
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "RunStatus".
 */
export type RunStatus = "passed" | "failed" | "compile_error" | "module_error" | "cancelled" | "internal_error";
/**
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "TestStatus".
 */
export type TestStatus = "passed" | "failed" | "error" | "timeout" | "not_run";

/**
 * Every response Pytrix sends; generated from pytrix.responses, do not edit.
 */
export interface PytrixProtocol {
  [k: string]: unknown;
}
/**
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "ActivityDay".
 */
export interface ActivityDay {
  attempts: number;
  day: string;
  solved: number;
}
/**
 * What a notice offers to generate with the AI: ``pytrix/newQuestion`` with
 * ``source: "ai"`` and this problem type and difficulty does it.
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "AiOffer".
 */
export interface AiOffer {
  difficulty: string;
  problemType: string;
}
/**
 * One recorded attempt, without its code.
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "AttemptSummary".
 */
export interface AttemptSummary {
  createdAt: number;
  difficulty: string;
  durationMs: number;
  hintsUsed: number;
  id: number;
  mode: string;
  module: string;
  passed: number;
  problemType: string;
  questionId: string;
  solved: boolean;
  subtopic: string;
  total: number;
}
/**
 * What one auto-mode result (or a "slow down") did to a subtopic.
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "AutoOutcomeReport".
 */
export interface AutoOutcomeReport {
  difficulty: string;
  event: string;
  injected: string[];
  message: string;
  previousDifficulty: string;
  streak: number;
  subtopic: string;
}
/**
 * Why auto mode chose a question.
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "AutoPickReport".
 */
export interface AutoPickReport {
  detail: string;
  questionId: string;
  reason: string;
}
/**
 * ``pytrix/autoStatus``: the mini-curriculum, each subtopic's level and streak, the queue.
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "AutoStatusReport".
 */
export interface AutoStatusReport {
  currentSubtopic: string | null;
  curriculum: CurriculumPosition;
  fast: boolean;
  lastQuestion: string | null;
  promoteAfter: number;
  queue: QueuedQuestion[];
  reviewsDue: number;
  subtopics: AutoSubtopic[];
}
/**
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "CurriculumPosition".
 */
export interface CurriculumPosition {
  done: boolean;
  length: number;
  module: string;
  position: number;
}
/**
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "QueuedQuestion".
 */
export interface QueuedQuestion {
  questionId: string;
  reason: string;
  subtopic: string;
}
/**
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "AutoSubtopic".
 */
export interface AutoSubtopic {
  attempts: number;
  difficulty: string;
  module: string;
  streak: number;
  subtopic: string;
  updatedAt: number;
}
/**
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "CapUse".
 */
export interface CapUse {
  cap: number;
  used: number;
}
/**
 * Attempts, solves and time at one level of the curriculum.
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "Cell".
 */
export interface Cell {
  attempts: number;
  averageTimeMs: number;
  lastAttemptAt: number | null;
  masteryPercent: number;
  solved: number;
  successPercent: number;
  timeMs: number;
}
/**
 * ``pytrix.testConnection``: whether a model answered, or why not (``kind``).
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "ConnectionReport".
 */
export interface ConnectionReport {
  kind: string | null;
  latencyMs: number | null;
  message: string;
  model: string | null;
  ok: boolean;
}
/**
 * ``pytrix/curriculum``: modules, subtopics, problem types and the bank's question ids.
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "CurriculumReport".
 */
export interface CurriculumReport {
  modules: ModuleNode[];
  version: string;
}
/**
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "ModuleNode".
 */
export interface ModuleNode {
  id: string;
  name: string;
  order: number;
  overview: string;
  problemArchetypes: string[];
  pythonConsiderations: string[];
  subtopics: SubtopicNode[];
}
/**
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "SubtopicNode".
 */
export interface SubtopicNode {
  description: string;
  id: string;
  name: string;
  problemTypes: ProblemTypeNode[];
  sectionNumber: string;
}
/**
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "ProblemTypeNode".
 */
export interface ProblemTypeNode {
  description: string;
  id: string;
  name: string;
  questions: {
    [k: string]: string[];
  };
}
/**
 * An exception or syntax error of a run: its type, message and place (1-based line).
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "ErrorReport".
 */
export interface ErrorReport {
  col: number | null;
  line: number | null;
  message: string;
  type: string;
}
/**
 * Measured times of two solutions on growing inputs.
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "GrowthReport".
 */
export interface GrowthReport {
  note: string;
  scaled: string;
  series: GrowthSeries[];
  sizes: number[];
}
/**
 * One solution's times per size; ``stopped``: why it stopped early ("" when it did not).
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "GrowthSeries".
 */
export interface GrowthSeries {
  exponent: number | null;
  growth: string;
  label: string;
  stopped: string;
  timesMs: (number | null)[];
}
/**
 * The next rung of the hint ladder (``cause``: set when it explains the latest failure).
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "HintReport".
 */
export interface HintReport {
  cause: string | null;
  exhausted: boolean;
  level: number;
  notice: string | null;
  source: "ai" | "bank" | "offline" | "code";
  text: string;
  total: number;
}
/**
 * An attempt with its code and graded results (``null`` when left out).
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "HistoryItem".
 */
export interface HistoryItem {
  code: string | null;
  createdAt: number;
  difficulty: string;
  durationMs: number;
  hintsUsed: number;
  id: number;
  mode: string;
  module: string;
  passed: number;
  problemType: string;
  questionId: string;
  results: RunReport | null;
  solved: boolean;
  subtopic: string;
  total: number;
}
/**
 * A graded run (every field of ``RunResult``): pass counts and status as data
 * (``passed``/``total``/``status``).
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "RunReport".
 */
export interface RunReport {
  backend: string;
  compileError: ErrorReport | null;
  durationMs: number;
  message: string;
  moduleError: ErrorReport | null;
  moduleStdout: string;
  passed: number;
  protocol: number;
  python: string | null;
  questionId: string;
  status: RunStatus;
  tests: TestReport[];
  total: number;
}
/**
 * One graded test (every field of the graded ``TestResult``), with the explained cause
 * when the server found one.
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "TestReport".
 */
export interface TestReport {
  actual: string | null;
  actualFull: string | null;
  call: string;
  cause: string | null;
  cpuBudgetMs: number | null;
  cpuMs: number | null;
  durationMs: number;
  error: ErrorReport | null;
  expected: string | null;
  expectedFull: string | null;
  explanation: string | null;
  hidden: boolean;
  index: number;
  line: number | null;
  message: string;
  own: boolean;
  status: TestStatus;
  stdout: string;
  stdoutTruncated: boolean;
  stoppedLine: number | null;
}
/**
 * ``pytrix/history``: one page of attempts, newest first.
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "HistoryPage".
 */
export interface HistoryPage {
  items: HistoryItem[];
  limit: number;
  offset: number;
  total: number;
}
/**
 * How many rows an import brought in.
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "ImportReport".
 */
export interface ImportReport {
  attempts: number;
  hints: number;
  questions: number;
  reviews: number;
}
/**
 * Whether a Gemini key is set and from where; never the key itself.
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "KeyStatus".
 */
export interface KeyStatus {
  enabled: boolean;
  hasKey: boolean;
  source: ("client" | "environment") | null;
}
/**
 * ``pytrix/lastResult``: a document's latest run (``result`` null when it has not run).
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "LastRun".
 */
export interface LastRun {
  result: RunReport | null;
  version: number | null;
}
/**
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "ModuleStats".
 */
export interface ModuleStats {
  attempts: number;
  averageTimeMs: number;
  bankQuestions: number;
  id: string;
  lastAttemptAt: number | null;
  masteryPercent: number;
  name: string;
  questionsAttempted: number;
  questionsSolved: number;
  solved: number;
  subtopics: SubtopicStats[];
  successPercent: number;
  timeMs: number;
}
/**
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "SubtopicStats".
 */
export interface SubtopicStats {
  attempts: number;
  averageTimeMs: number;
  id: string;
  lastAttemptAt: number | null;
  masteryPercent: number;
  name: string;
  problemTypes: ProblemTypeStats[];
  solved: number;
  successPercent: number;
  timeMs: number;
}
/**
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "ProblemTypeStats".
 */
export interface ProblemTypeStats {
  attempts: number;
  averageTimeMs: number;
  difficulties: {
    [k: string]: Cell;
  };
  id: string;
  lastAttemptAt: number | null;
  masteryPercent: number;
  name: string;
  solved: number;
  successPercent: number;
  timeMs: number;
}
/**
 * A practice file written for a question (``shown``: the editor opened it; ``aiOffer``:
 * set when the ``notice`` offers AI generation of questions like it).
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "NewQuestionReport".
 */
export interface NewQuestionReport {
  aiOffer: AiOffer | null;
  attemptId: number | null;
  auto: AutoPickReport | null;
  notice: string | null;
  path: string;
  questionId: string;
  questionUri: string;
  shown: boolean;
  source: "ai" | "bank" | "offline" | "code";
  title: string;
  uri: string;
}
/**
 * ``pytrix.optimize``: a faster solution with its complexity and measured growth.
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "OptimizeReport".
 */
export interface OptimizeReport {
  allowed: boolean;
  complexity: string | null;
  explanation: string | null;
  growth: GrowthReport | null;
  markdown: string;
  message: string;
  notice: string | null;
  solution: string | null;
  source: "ai" | "bank" | "offline" | "code";
  uri: string | null;
}
/**
 * A ``pytrix:`` markdown document (a question, or the dashboard with ``questionId`` null).
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "QuestionDocument".
 */
export interface QuestionDocument {
  fileUri: string | null;
  markdown: string;
  path: string | null;
  questionId: string | null;
  shown: boolean | null;
  uri: string;
}
/**
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "ResetReport".
 */
export interface ResetReport {
  attemptsRemoved: number;
  id: string | null;
  scope: "question" | "module" | "all";
}
/**
 * The reveal gate's answer; ``uri``: the solution file the editor wrote, if any.
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "RevealReport".
 */
export interface RevealReport {
  allowed: boolean;
  explanation: string | null;
  message: string;
  notice: string | null;
  solution: string | null;
  source: "ai" | "bank" | "offline" | "code";
  uri: string | null;
}
/**
 * One suggestion of a code review, at a 0-based line.
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "ReviewFinding".
 */
export interface ReviewFinding {
  code: string;
  line: number;
  message: string;
  severity: string;
}
/**
 * ``pytrix.evaluate``: a verdict, markdown and findings (the AI's or the offline review).
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "ReviewReport".
 */
export interface ReviewReport {
  findings: ReviewFinding[];
  markdown: string;
  notice: string | null;
  source: "ai" | "bank" | "offline" | "code";
  verdict: string;
}
/**
 * ``pytrix/stats``: totals, streaks, recent attempts, activity and every module.
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "StatsReport".
 */
export interface StatsReport {
  activity: ActivityDay[];
  attempts: number;
  averageTimeMs: number;
  bankQuestions: number;
  generatedAt: number;
  lastAttemptAt: number | null;
  masteryPercent: number;
  modules: ModuleStats[];
  modulesTouched: number;
  problemTypesTouched: number;
  questionsAttempted: number;
  questionsSolved: number;
  recent: AttemptSummary[];
  reviewsDue: number;
  solved: number;
  streaks: Streaks;
  subtopicsTouched: number;
  successPercent: number;
  timeMs: number;
  version: number;
}
/**
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "Streaks".
 */
export interface Streaks {
  bestCorrect: number;
  correct: number;
  days: number;
  longestDays: number;
  practisedToday: boolean;
}
/**
 * A recorded submission: the run with hidden tests revealed, plus the attempt.
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "Submission".
 */
export interface Submission {
  attemptId: number;
  /**
   * the learner's attempt count on this question, this one included
   */
  attemptNumber: number;
  auto: AutoOutcomeReport | null;
  backend: string;
  compileError: ErrorReport | null;
  durationMs: number;
  message: string;
  mode: string;
  moduleError: ErrorReport | null;
  moduleStdout: string;
  passed: number;
  protocol: number;
  python: string | null;
  questionId: string;
  /**
   * every test passes and it counts as a solve (not after the solution was revealed)
   */
  solved: boolean;
  status: RunStatus;
  tests: TestReport[];
  total: number;
}
/**
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "UsageCaps".
 */
export interface UsageCaps {
  session: CapUse;
  today: {
    [k: string]: CapUse;
  };
}
/**
 * ``pytrix/usage``: AI calls per day, model and feature; caps; the key's state.
 *
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "UsageReport".
 */
export interface UsageReport {
  caps: UsageCaps;
  key: KeyStatus;
  models: string[];
  rows: UsageRow[];
  today: string;
  totals: UsageTotals;
}
/**
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "UsageRow".
 */
export interface UsageRow {
  calls: number;
  day: string;
  errors: number;
  feature: string;
  inputTokens: number;
  model: string;
  outputTokens: number;
}
/**
 * This interface was referenced by `PytrixProtocol`'s JSON-Schema
 * via the `definition` "UsageTotals".
 */
export interface UsageTotals {
  calls: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
}
