/**
 * Turning the answers of the AI-backed commands (`pytrix.evaluate`:
 * `ReviewReport`, `pytrix.optimize`: `OptimizeReport`) into a markdown note;
 * and which server log lines the output channel leaves out.
 */

import type { OptimizeReport, ReviewReport } from "../generated/protocol";

/** Markdown for an evaluate/optimise answer; `null` when there is nothing to show (the server said why). */
export function reviewMarkdown(title: string, questionId: string, result: ReviewReport | OptimizeReport | null | undefined): string | null {
  if (!result || ("allowed" in result && !result.allowed) || !result.markdown) return null;
  return `# ${title}: ${questionId}\n\n${result.markdown}\n`;
}

/** Lines of the server log that only repeat the JSON-RPC traffic. */
export function isTrafficLine(line: string): boolean {
  return line.includes("pygls.protocol.json_rpc") || line.includes("pygls.feature_manager");
}
