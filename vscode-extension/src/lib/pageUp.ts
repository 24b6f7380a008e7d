/**
 * How long a Pyodide run waits for the practice panel's page to come up.
 *
 * A run needs the panel's page (its Pyodide lives there). Usually the page is
 * up a second or two after the panel opens, but VS Code can hold a new
 * webview's page back: in a browser (code-server), a webview closed while one
 * of its requests was in flight leaves that request pending in VS Code's
 * service worker for 30 s, and the next webview's page waits for it (seen
 * after a panel closed mid-load, and once in CI after one closed fully
 * loaded: the page came up at 31.5 s). So for a panel opened within
 * `HELD_BACK_MS` of another closing, a run does not wait for the page until
 * the language server gives up on the editor's runtime (its own limit,
 * 15 s): it fails once the page is late past `PAGE_UP_LIMIT_MS` from the
 * panel opening, with a message saying why, and the server runs the tests in
 * its sandbox at once. Later runs use Pyodide again as soon as the page is
 * up. Other pages are waited for as before (a slow machine's page is still
 * worth its Pyodide result).
 *
 * Plain TypeScript, unit-tested in Node (with vitest's fake timers).
 */

/** From the panel opening to its page being up, at most (a page is usually up in 1-2 s; a loaded machine can take several). */
export const PAGE_UP_LIMIT_MS = 8000;
/** How long after a panel closed a new one's page may be held back (VS Code's service worker waits 30 s). */
export const HELD_BACK_MS = 35_000;

/** A run given up on: the panel's page was not up in time (the server then runs it in its sandbox). */
export class PageLate extends Error {
  constructor(limitMs: number) {
    super(
      `the practice panel's page was not up ${(limitMs / 1000).toFixed(0)} s after the panel opened ` +
        "(VS Code is still loading it); this run goes to the server's sandbox, and later runs use Pyodide once the page is up",
    );
    this.name = "PageLate";
  }
}

/**
 * `ready` (the page coming up), or a PageLate rejection once `limitMs` has
 * passed since `openedAt` (at once when it already has and the page is not up).
 */
export function pageUpWithin(ready: Promise<void>, openedAt: number, limitMs = PAGE_UP_LIMIT_MS): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      reject(new PageLate(limitMs));
    }, Math.max(0, openedAt + limitMs - Date.now()));
    ready.then(
      () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
