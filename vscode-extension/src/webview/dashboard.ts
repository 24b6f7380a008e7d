/** The dashboard webview's script: draws the charts from the data the host sends. */

import { barChart, columnChart, escapeHtml } from "../lib/charts";
import type { DashboardData } from "../lib/dashboard";

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };
const vscode = acquireVsCodeApi();
const $ = (id: string): HTMLElement => document.getElementById(id) as HTMLElement;

function isData(value: unknown): value is DashboardData {
  if (typeof value !== "object" || value === null) return false;
  const d = value as Record<string, unknown>;
  return Array.isArray(d.headline) && Array.isArray(d.mastery) && Array.isArray(d.activity) && Array.isArray(d.usage);
}

function render(data: DashboardData, generatedAt: string): void {
  $("stamp").textContent = `Updated ${generatedAt}`;
  $("headline").innerHTML = data.headline
    .map((h) => `<div class="card"><div class="value">${escapeHtml(h.value)}</div><div class="label">${escapeHtml(h.label)}</div></div>`)
    .join("");
  $("mastery").innerHTML = barChart(
    data.mastery.map((m) => ({ label: m.name, value: m.percent, note: `${Math.round(m.percent)}%${m.total !== undefined ? ` (${m.solved}/${m.total})` : ""}` })),
    { max: 100, title: "Mastery per module", emptyText: "No modules yet." },
  );
  $("activity").innerHTML = columnChart(
    data.activity.map((a) => ({ label: a.day, value: a.attempts, secondary: a.solved })),
    { title: "Attempts per day", emptyText: "No activity yet: submit a solution to start the chart." },
  );
  $("usage").innerHTML =
    barChart(
      data.usage.map((u) => ({ label: u.model, value: u.inputTokens + u.outputTokens, note: `${u.calls} calls, ${u.inputTokens + u.outputTokens} tokens` })),
      { title: "Tokens per model", emptyText: "No AI calls recorded." },
    ) + (data.usageNote ? `<p class="note">${escapeHtml(data.usageNote)}</p>` : "");
}

window.addEventListener("message", (event: MessageEvent) => {
  const message = event.data as Record<string, unknown>;
  if (message?.type === "data" && isData(message.data)) {
    render(message.data, typeof message.generatedAt === "string" ? message.generatedAt : "");
  } else if (message?.type === "error" && typeof message.message === "string") {
    $("headline").innerHTML = `<p class="error">${escapeHtml(message.message)}</p>`;
  }
});
$("refresh").addEventListener("click", () => vscode.postMessage({ type: "refresh" }));
vscode.postMessage({ type: "ready" });
