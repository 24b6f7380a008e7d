/**
 * Dashboard data: `pytrix/stats` and `pytrix/usage` answers normalised into
 * the three charts (mastery per module, activity per day, API usage per
 * model) and a few headline numbers. Every key is optional: older and newer
 * servers send different shapes, and missing parts render as "no data".
 */

export interface ModuleMastery {
  id: string;
  name: string;
  percent: number;
  solved: number;
  total?: number;
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

type Dict = Record<string, unknown>;

function isDict(value: unknown): value is Dict {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function num(...values: unknown[]): number | undefined {
  for (const value of values) {
    if (typeof value === "number" && Number.isFinite(value)) return value;
  }
  return undefined;
}

function str(...values: unknown[]): string | undefined {
  for (const value of values) {
    if (typeof value === "string" && value) return value;
  }
  return undefined;
}

function clampPercent(value: number): number {
  return Math.max(0, Math.min(100, value));
}

/** Module rows from either `modules: [{id, ...}]` or `modules: {id: {...}}`. */
export function masteryOf(stats: unknown, moduleNames: Record<string, string> = {}, moduleTotals: Record<string, number> = {}): ModuleMastery[] {
  if (!isDict(stats)) return [];
  const raw = stats.modules;
  const rows: [string, Dict][] = [];
  if (Array.isArray(raw)) {
    for (const item of raw) if (isDict(item) && typeof item.id === "string") rows.push([item.id, item]);
  } else if (isDict(raw)) {
    for (const [id, item] of Object.entries(raw)) if (isDict(item)) rows.push([id, item]);
  }
  return rows.map(([id, row]) => {
    const solved = num(row.questions_solved, row.solved) ?? 0;
    const total = num(row.bank_questions, row.total_questions, moduleTotals[id]);
    const percent = num(row.mastery_percent, row.mastery) ?? (total ? (100 * solved) / total : 0);
    return {
      id,
      name: str(row.name, moduleNames[id]) ?? id,
      percent: clampPercent(percent),
      solved,
      total,
      attempts: num(row.attempts) ?? 0,
    };
  });
}

export function activityOf(stats: unknown): DayActivity[] {
  if (!isDict(stats)) return [];
  const raw = Array.isArray(stats.activity) ? stats.activity : Array.isArray(stats.daily) ? stats.daily : [];
  const days: DayActivity[] = [];
  for (const item of raw) {
    if (!isDict(item)) continue;
    const day = str(item.day, item.date);
    if (!day) continue;
    days.push({ day, attempts: num(item.attempts, item.count) ?? 0, solved: num(item.solved) ?? 0 });
  }
  return days.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}

function usageRow(model: string, item: Dict): ModelUsage {
  return {
    model,
    calls: num(item.calls, item.requests, item.count) ?? 0,
    inputTokens: num(item.input_tokens, item.inputTokens, item.prompt_tokens, item.promptTokens) ?? 0,
    outputTokens: num(item.output_tokens, item.outputTokens, item.candidates_tokens, item.completion_tokens) ?? 0,
  };
}

/** Usage per model from a list of rows, a `{model: {...}}` map, or either under `models`/`by_model`. */
export function usageOf(usage: unknown): ModelUsage[] {
  let raw: unknown = usage;
  if (isDict(raw) && Array.isArray(raw.rows)) {
    // The server's `pytrix/usage`: one row per day, model and feature; summed per model here.
    const byModel = new Map<string, ModelUsage>();
    for (const item of raw.rows) {
      if (!isDict(item) || typeof item.model !== "string") continue;
      const row = usageRow(item.model, item);
      const sum = byModel.get(row.model) ?? { model: row.model, calls: 0, inputTokens: 0, outputTokens: 0 };
      sum.calls += row.calls;
      sum.inputTokens += row.inputTokens;
      sum.outputTokens += row.outputTokens;
      byModel.set(row.model, sum);
    }
    return [...byModel.values()].filter((row) => row.calls > 0 || row.inputTokens > 0 || row.outputTokens > 0);
  }
  if (isDict(raw)) {
    raw = raw.by_model ?? raw.byModel ?? raw.models ?? raw.per_model ?? raw;
  }
  const rows: ModelUsage[] = [];
  if (Array.isArray(raw)) {
    for (const item of raw) {
      if (isDict(item)) {
        const model = str(item.model, item.name);
        if (model) rows.push(usageRow(model, item));
      }
    }
  } else if (isDict(raw)) {
    for (const [model, item] of Object.entries(raw)) {
      if (isDict(item)) rows.push(usageRow(model, item));
    }
  }
  return rows.filter((row) => row.calls > 0 || row.inputTokens > 0 || row.outputTokens > 0);
}

function formatMs(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export function buildDashboard(stats: unknown, usage: unknown, usageError?: string, moduleNames: Record<string, string> = {}): DashboardData {
  const s = isDict(stats) ? stats : {};
  const headline: { label: string; value: string }[] = [];
  const solved = num(s.questions_solved);
  const bank = num(s.bank_questions);
  if (solved !== undefined) headline.push({ label: "Questions solved", value: bank ? `${solved} / ${bank}` : String(solved) });
  const attempts = num(s.attempts);
  if (attempts !== undefined) headline.push({ label: "Submissions", value: String(attempts) });
  const success = num(s.success_percent);
  if (success !== undefined) headline.push({ label: "Success rate", value: `${Math.round(success)}%` });
  const streaks = isDict(s.streaks) ? s.streaks : {};
  const streak = num(streaks.days, s.streak_days, s.streak);
  if (streak !== undefined) headline.push({ label: "Day streak", value: String(streak) });
  const time = num(s.time_ms);
  if (time !== undefined) headline.push({ label: "Time practised", value: formatMs(time) });
  const due = num(s.reviews_due);
  if (due !== undefined) headline.push({ label: "Reviews due", value: String(due) });
  const data: DashboardData = {
    headline,
    mastery: masteryOf(stats, moduleNames),
    activity: activityOf(stats),
    usage: usageOf(usage),
  };
  if (usageError) data.usageNote = usageError;
  return data;
}

/** `pytrix/usage` as a markdown report: the key, calls per model, the caps, the models in order. */
export function usageMarkdown(usage: unknown): string {
  const rows = usageOf(usage);
  const cell = (value: unknown) => String(value).replace(/\|/g, "\\|");
  const lines = ["# Pytrix API usage", ""];
  const key = isDict(usage) && isDict(usage.key) ? usage.key : undefined;
  if (key) {
    const state = key.enabled === false ? "the AI tutor is turned off (pytrix.aiEnabled)" : key.hasKey === true ? `a key is set (from ${cell(key.source ?? "?")})` : "no key is set: run *Pytrix: Set Gemini API Key*";
    lines.push(`**Gemini API key:** ${state}.`, "");
  }
  lines.push("## Calls per model (last 30 days)", "", "| Model | Calls | Input tokens | Output tokens |", "| --- | ---: | ---: | ---: |");
  if (rows.length === 0) lines.push("| *no AI calls recorded yet* | 0 | 0 | 0 |");
  for (const r of rows) lines.push(`| ${cell(r.model)} | ${r.calls} | ${r.inputTokens} | ${r.outputTokens} |`);
  const caps = isDict(usage) && isDict(usage.caps) ? usage.caps : undefined;
  if (caps) {
    lines.push("", "## Caps", "", "| Limit | Used | Cap |", "| --- | ---: | ---: |");
    if (isDict(caps.session)) lines.push(`| this session | ${cell(caps.session.used ?? 0)} | ${cell(caps.session.cap ?? "?")} |`);
    if (isDict(caps.today)) {
      for (const [feature, value] of Object.entries(caps.today)) {
        if (isDict(value)) lines.push(`| ${cell(feature)} today | ${cell(value.used ?? 0)} | ${cell(value.cap ?? "?")} |`);
      }
    }
  }
  const models = isDict(usage) && Array.isArray(usage.models) ? usage.models.filter((m) => typeof m === "string") : [];
  if (models.length > 0) lines.push("", `**Models, in the order they are tried:** ${models.map((m) => `\`${cell(m)}\``).join(", ")}.`);
  if (isDict(usage)) {
    const extras = Object.entries(usage).filter(([, v]) => typeof v === "number" || typeof v === "string" || typeof v === "boolean");
    if (extras.length > 0) {
      lines.push("", "| | |", "| --- | --- |");
      for (const [k, v] of extras) lines.push(`| ${cell(k.replace(/_/g, " "))} | ${cell(v)} |`);
    }
  }
  return `${lines.join("\n")}\n`;
}
