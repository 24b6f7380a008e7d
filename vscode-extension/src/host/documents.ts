/**
 * The `pytrix:` virtual documents: questions (`pytrix:/question/<id>.md`) and
 * the dashboard (`pytrix:/dashboard.md`), fetched with `pytrix/questionDocument`
 * and shown in VS Code's markdown preview beside the practice file.
 * If the server cannot render the dashboard itself, it is written here from
 * `pytrix/stats`.
 */

import * as vscode from "vscode";
import type { QuestionDocument, StatsReport, UsageReport } from "../generated/protocol";
import { buildDashboard, usageMarkdown } from "../lib/dashboard";
import { classifyPath, noteUri, questionUri, SCHEME } from "../lib/practice";
import type { ServerManager } from "./server";

export class PytrixDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration: vscode.Disposable;
  private readonly notes = new Map<string, string>();

  constructor(private readonly server: ServerManager) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(SCHEME, this);
  }

  /** Re-fetch every open `pytrix:` document (after a hint, a submit, a new run). */
  refreshAll(): void {
    for (const document of vscode.workspace.textDocuments) {
      if (document.uri.scheme === SCHEME) this.changed.fire(document.uri);
    }
  }

  /** Keep a markdown note (an AI review, a usage report) under `pytrix:/note/<key>.md`. */
  setNote(key: string, markdown: string): vscode.Uri {
    this.notes.set(key, markdown);
    const uri = vscode.Uri.parse(noteUri(key));
    this.changed.fire(uri);
    return uri;
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const what = classifyPath(uri.path);
    if (what === null) {
      return `# Not a Pytrix document\n\n\`${uri.toString()}\` names neither a question (pytrix:/question/<id>.md) nor the dashboard (pytrix:/dashboard.md).\n`;
    }
    if (what.kind === "note") {
      return this.notes.get(what.key) ?? "# Pytrix\n\nThis note is no longer available.\n";
    }
    if (what.kind === "usage") {
      return this.usageMarkdown();
    }
    const client = await this.server.ensure();
    if (!client) {
      return "# Pytrix is not running\n\nThe Pytrix language server could not start. Run **Pytrix: Show the Server Log** for the reason.\n";
    }
    try {
      const answer = await client.sendRequest<QuestionDocument>("pytrix/questionDocument", { uri: uri.toString() });
      if (typeof answer?.markdown === "string") return answer.markdown;
      throw new Error("the answer had no markdown");
    } catch (error) {
      if (what.kind === "dashboard") return this.dashboardFallback();
      return `# Question ${what.questionId}\n\nThe server could not show this question: ${errorText(error)}\n`;
    }
  }

  private async usageMarkdown(): Promise<string> {
    const client = await this.server.ensure();
    if (!client) return "# API usage\n\nThe server is not running.\n";
    let usage: UsageReport;
    try {
      usage = await client.sendRequest<UsageReport>("pytrix/usage", {});
    } catch (error) {
      return `# API usage\n\nThis server does not report usage: ${errorText(error)}\n`;
    }
    return usageMarkdown(usage);
  }

  private async dashboardFallback(): Promise<string> {
    const client = await this.server.ensure();
    if (!client) return "# Dashboard\n\nThe server is not running.\n";
    let stats: StatsReport;
    try {
      stats = await client.sendRequest<StatsReport>("pytrix/stats", {});
    } catch (error) {
      return `# Dashboard\n\nThe server could not report stats: ${errorText(error)}\n`;
    }
    const data = buildDashboard(stats, undefined);
    const lines = ["# Pytrix dashboard", ""];
    for (const item of data.headline) lines.push(`- **${item.label}**: ${item.value}`);
    lines.push("", "## Mastery per module", "", "| Module | Mastery | Solved |", "| --- | ---: | ---: |");
    for (const m of data.mastery) {
      lines.push(`| ${m.name.replace(/\|/g, "\\|")} | ${Math.round(m.percent)}% | ${m.solved} / ${m.total} |`);
    }
    if (data.mastery.length === 0) lines.push("| (no attempts yet) | | |");
    return `${lines.join("\n")}\n`;
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && "message" in error) return String((error as { message: unknown }).message);
  return String(error);
}

/** Show a question in the markdown preview beside the active editor. */
export async function showQuestionBeside(questionId: string): Promise<void> {
  const uri = vscode.Uri.parse(questionUri(questionId));
  await vscode.commands.executeCommand("markdown.showPreviewToSide", uri);
}
