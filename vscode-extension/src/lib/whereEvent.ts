/**
 * Where a stopped test was: the `where` event the Pyodide runtime reports for a timeout.
 *
 * When a test reaches its limit the runtime interrupts Pyodide (SIGINT through
 * the shared buffer). Python raises KeyboardInterrupt inside the learner's
 * code and the harness reports that test as raised, with the learner's line.
 * The run is being stopped, so that `test` event is not passed on as a
 * result; its line is, as `{"event": "where", index, line}`, which the server
 * uses to show the timeout at the line that was running (the subprocess
 * sandbox sends the same event). Plain TypeScript: no `vscode` import.
 */

/** The `where` event (JSON text) for a harness event of an interrupted test, else `null`. */
export function whereEvent(text: string): string | null {
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof event !== "object" || event === null) return null;
  const { event: kind, index, outcome, error } = event as Record<string, unknown>;
  if (kind !== "test" || outcome !== "raised" || typeof error !== "object" || error === null) return null;
  const { type, line } = error as Record<string, unknown>;
  if (type !== "KeyboardInterrupt" || !Number.isInteger(index) || !Number.isInteger(line) || (line as number) < 1) {
    return null;
  }
  return JSON.stringify({ event: "where", index, line });
}
