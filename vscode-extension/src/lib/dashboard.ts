/**
 * Dashboard data: the typed `pytrix/stats` (`StatsReport`) and `pytrix/usage`
 * (`UsageReport`) answers turned into the three charts (mastery per module,
 * activity per day, API usage per model) and a few headline numbers.
 */

import type { StatsReport, UsageReport } from "../generated/protocol";

export interface ModuleMastery {
  id: string;
  name: string;
  percent: number;
  solved: number;
  total: number;
  attempts: number;
}

export interface DayActivity {
  day: string;
  attempts: number;
  solved: number;
}

export interface ModelUsage {
  model: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
}

export interface DashboardData {
  headline: { label: string; value: string }[];
  mastery: ModuleMastery[];
  activity: DayActivity[];
  usage: ModelUsage[];
  usageNote?: string;
}

function clampPercent(value: number): number {
  return Math.max(0, Math.min(100, value));
}

/** One row per module: mastery, questions solved of the bank's, attempts. */
export function masteryOf(stats: StatsReport): ModuleMastery[] {
  return stats.modules.map((m) => ({
    id: m.id,
    name: m.name,
    percent: clampPercent(m.masteryPercent),
    solved: m.questionsSolved,
    total: m.bankQuestions,
    attempts: m.attempts,
  }));
}

export function activityOf(stats: StatsReport): DayActivity[] {
  return stats.activity
    .map((a) => ({ day: a.day, attempts: a.attempts, solved: a.solved }))
    .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}

/** The server's usage rows (one per day, model and feature) summed per model. */
export function usageOf(usage: UsageReport): ModelUsage[] {
  const byModel = new Map<string, ModelUsage>();
  for (const row of usage.rows) {
    const sum = byModel.get(row.model) ?? { model: row.model, calls: 0, inputTokens: 0, outputTokens: 0 };
    sum.calls += row.calls;
    sum.inputTokens += row.inputTokens;
    sum.outputTokens += row.outputTokens;
    byModel.set(row.model, sum);
  }
  return [...byModel.values()].filter((row) => row.calls > 0 || row.inputTokens > 0 || row.outputTokens > 0);
}

function formatMs(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export function buildDashboard(stats: StatsReport, usage: UsageReport | undefined, usageError?: string): DashboardData {
  const headline = [
    { label: "Questions solved", value: `${stats.questionsSolved} / ${stats.bankQuestions}` },
    { label: "Submissions", value: String(stats.attempts) },
    { label: "Success rate", value: `${Math.round(stats.successPercent)}%` },
    { label: "Day streak", value: String(stats.streaks.days) },
    { label: "Time practised", value: formatMs(stats.timeMs) },
    { label: "Reviews due", value: String(stats.reviewsDue) },
  ];
  const data: DashboardData = {
    headline,
    mastery: masteryOf(stats),
    activity: activityOf(stats),
    usage: usage ? usageOf(usage) : [],
  };
  if (usageError) data.usageNote = usageError;
  return data;
}

/** `pytrix/usage` as a markdown report: the key, calls per model, the caps, the models in order. */
export function usageMarkdown(usage: UsageReport): string {
  const rows = usageOf(usage);
  const cell = (value: unknown) => String(value).replace(/\|/g, "\\|");
  const lines = ["# Pytrix API usage", ""];
  const key = usage.key;
  const state = !key.enabled ? "the AI tutor is turned off (pytrix.aiEnabled)" : key.hasKey ? `a key is set (from ${cell(key.source ?? "?")})` : "no key is set: run *Pytrix: Set Gemini API Key*";
  lines.push(`**Gemini API key:** ${state}.`, "");
  lines.push("## Calls per model (last 30 days)", "", "| Model | Calls | Input tokens | Output tokens |", "| --- | ---: | ---: | ---: |");
  if (rows.length === 0) lines.push("| *no AI calls recorded yet* | 0 | 0 | 0 |");
  for (const r of rows) lines.push(`| ${cell(r.model)} | ${r.calls} | ${r.inputTokens} | ${r.outputTokens} |`);
  lines.push("", "## Caps", "", "| Limit | Used | Cap |", "| --- | ---: | ---: |");
  lines.push(`| this session | ${usage.caps.session.used} | ${usage.caps.session.cap} |`);
  for (const [feature, value] of Object.entries(usage.caps.today)) lines.push(`| ${cell(feature)} today | ${value.used} | ${value.cap} |`);
  if (usage.models.length > 0) lines.push("", `**Models, in the order they are tried:** ${usage.models.map((m) => `\`${cell(m)}\``).join(", ")}.`);
  return `${lines.join("\n")}\n`;
}
