/**
 * Practice files and `pytrix:` URIs, as plain string logic.
 *
 * A practice file starts with `# pytrix: question=<id>`; the question behind
 * it is shown from `pytrix:/question/<id>.md` and the dashboard from
 * `pytrix:/dashboard.md`, both served by `pytrix/questionDocument`.
 */

export const SCHEME = "pytrix";
// Ids may end in "~<n>": variant n of a bank template.
const HEADER = /^#\s*pytrix:\s*question=([A-Za-z0-9_.~-]+)\s*$/;
const QUESTION_PATH = /^\/*question\/([A-Za-z0-9_.~-]+?)(?:\.md)?$/;

/** The question id in a practice file's first line, or `null`. */
/** Lines of a file searched for the header (the server's rule: pytrix.practice.files). */
export const HEADER_SCAN_LINES = 5;

/** The question id a practice file names in its header (a byte order mark before it is fine). */
export function questionIdOf(text: string): string | null {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/, HEADER_SCAN_LINES);
  for (const line of lines) {
    const match = HEADER.exec(line.trim());
    if (match) return match[1];
  }
  return null;
}

export function questionUri(questionId: string): string {
  return `${SCHEME}:/question/${questionId}.md`;
}

export const DASHBOARD_URI = `${SCHEME}:/dashboard.md`;

export const USAGE_URI = `${SCHEME}:/usage.md`;

export function noteUri(key: string): string {
  return `${SCHEME}:/note/${key}.md`;
}

export type PytrixDocument =
  | { kind: "question"; questionId: string }
  | { kind: "dashboard" }
  | { kind: "usage" }
  | { kind: "note"; key: string }
  | null;

/** What a `pytrix:` URI path names. */
export function classifyPath(path: string): PytrixDocument {
  const question = QUESTION_PATH.exec(path);
  if (question) {
    return { kind: "question", questionId: question[1] };
  }
  if (/^\/*dashboard(\.md)?$/.test(path)) {
    return { kind: "dashboard" };
  }
  if (/^\/*usage(\.md)?$/.test(path)) {
    return { kind: "usage" };
  }
  const note = /^\/*note\/([A-Za-z0-9_.-]+?)(?:\.md)?$/.exec(path);
  if (note) {
    return { kind: "note", key: note[1] };
  }
  return null;
}
