/**
 * Turning the answers of the AI-backed commands (`pytrix.evaluate`,
 * `pytrix.optimize`) into a markdown note, whatever shape the server uses;
 * and which server log lines the output channel leaves out.
 */

/** Markdown for an evaluate/optimise answer, whatever fields it has; `null` when there is nothing to show. */
export function reviewMarkdown(title: string, questionId: string, result: unknown): string | null {
  if (result === null || result === undefined) return null;
  if (typeof result === "string") return `# ${title}: ${questionId}\n\n${result}\n`;
  if (typeof result !== "object") return null;
  const r = result as Record<string, unknown>;
  for (const key of ["markdown", "report", "text"]) {
    if (typeof r[key] === "string") return `# ${title}: ${questionId}\n\n${r[key] as string}\n`;
  }
  const lines = [`# ${title}: ${questionId}`, ""];
  if (typeof r.message === "string") lines.push(r.message, "");
  lines.push("```json", JSON.stringify(result, null, 2), "```");
  return `${lines.join("\n")}\n`;
}

/** Lines of the server log that only repeat the JSON-RPC traffic. */
export function isTrafficLine(line: string): boolean {
  return line.includes("pygls.protocol.json_rpc") || line.includes("pygls.feature_manager");
}
