/**
 * The practice panel's files fetched ahead, all at once.
 *
 * Inside a VS Code webview every fetch is a round trip through the webview's
 * resource loader, slow while the workbench starts. Left to itself the
 * worker's start is a chain: the page fetches the worker script, then the
 * harness, starts the worker, which imports `pyodide.mjs`, and only then does
 * Pyodide ask for its big files (the kept snapshot alongside). So the page
 * starts every one of those fetches as soon as its script runs
 * (`fetchAhead`), and hands each file to the worker as bytes when it arrives
 * (transferred, not copied); the worker (`AheadFiles`) answers its own
 * requests for those URLs from them. A file the page could not fetch is
 * fetched by the worker as before, and that is logged.
 *
 * In the Pyodide panel the host goes further: it posts every one of those
 * files' bytes with the page's HTML (`POSTED_FILE`, one message a file), so
 * they cross while VS Code is still setting the webview up, where a fetch
 * could only start once the page's first script runs (in code-server the
 * kept snapshot came 0.15-0.39 s after that script posted, 0.44-0.70 s
 * fetched). The head's script takes each from its message; a file without
 * one within `POSTED_WAIT_MS` is left to the worker, which fetches it (logged).
 *
 * Plain TypeScript with `fetch` and the clock injected, unit-tested in Node.
 */

import type { Fetch } from "./wasmFetch";

/** One file fetched ahead: its bytes (null when the fetch failed) and when it arrived. */
export interface AheadFile {
  url: string;
  data: ArrayBuffer | null;
  /** Milliseconds from the fetch starting to its last byte. */
  ms: number;
  bytes: number;
  /** The host posted it (`POSTED_FILE`) instead of the page fetching it. */
  byHost?: boolean;
}

/** The type of the host's message carrying one file's bytes for the head's script. */
export const POSTED_FILE = "aheadFile";
/** How long the head's script waits for the host's bytes before leaving the file to the worker. */
export const POSTED_WAIT_MS = 10_000;

/** Pyodide's files its first worker fetches (the interpreter's wasm in its compressed copy, lib/wasmFetch.ts). */
export const PYODIDE_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm.gz", "python_stdlib.zip", "pyodide-lock.json"];

/**
 * What the practice panel fetches ahead, in the order the worker needs them (the host posts them
 * so): the worker script, the harness, Pyodide's loader and lock file (imported while the big files
 * cross), then the kept snapshot (when any; awaited before the interpreter is instantiated), the
 * interpreter, and the standard library (mounted after it).
 */
export function panelFiles(urls: { worker: string; harness: string; snapshot: string; pyodide: string }): string[] {
  const pyodide = (name: string) => `${urls.pyodide}${name}`;
  return [
    urls.worker,
    urls.harness,
    pyodide("pyodide.mjs"),
    pyodide("pyodide.asm.mjs"),
    pyodide("pyodide-lock.json"),
    urls.snapshot,
    pyodide("pyodide.asm.wasm.gz"),
    pyodide("python_stdlib.zip"),
  ].filter((url) => url !== "");
}

/**
 * The page's head script in the Pyodide panel (it runs before the page's
 * stylesheet and script): one entry per URL in `posted`, each waiting for the
 * host's `POSTED_FILE` message for that URL (its `data`: the bytes, or null
 * when the host could not read them), or null after `POSTED_WAIT_MS`; nothing
 * is fetched. It leaves the map in `globalThis.pytrixAhead` (the shape
 * `fetchAhead` returns), and the time it started in `pytrixAheadAt`.
 */
export function fetchAheadScript(posted: readonly string[]): string {
  // JSON in a script element: "<" escaped so no "</script>" can end it early.
  const json = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c");
  return (
    `(()=>{const t=performance.now(),m=new Map(),w=new Map();globalThis.pytrixAheadAt=t;` +
    `const d=(u,x)=>({url:u,data:x,ms:performance.now()-t,bytes:x?x.byteLength:0,byHost:true});` +
    `for(const p of ${json(posted)}){if(!p||m.has(p))continue;m.set(p,new Promise((y)=>w.set(p,y)));}` +
    `if(w.size){const f=(p,x)=>{const y=w.get(p);if(!y)return;w.delete(p);y(d(p,x));` +
    `if(!w.size){removeEventListener("message",g);clearTimeout(k);}};` +
    `const g=(e)=>{const v=e.data;if(!v||v.type!==${json(POSTED_FILE)}||typeof v.url!=="string")return;const b=v.data;` +
    `f(v.url,b instanceof ArrayBuffer?b:ArrayBuffer.isView(b)?(b.byteOffset===0&&b.byteLength===b.buffer.byteLength?b.buffer:b.buffer.slice(b.byteOffset,b.byteOffset+b.byteLength)):null);};` +
    `const k=setTimeout(()=>{for(const p of [...w.keys()])f(p,null);},${POSTED_WAIT_MS});addEventListener("message",g);}` +
    `globalThis.pytrixAhead=m;})();`
  );
}

/** Start fetching every URL now (duplicates and empty ones dropped); one promise per URL, never rejected. */
export function fetchAhead(fetch: Fetch, urls: readonly string[], now: () => number = () => performance.now()): Map<string, Promise<AheadFile>> {
  const files = new Map<string, Promise<AheadFile>>();
  for (const url of urls) {
    if (!url || files.has(url)) continue;
    const began = now();
    const done = (data: ArrayBuffer | null): AheadFile => ({ url, data, ms: now() - began, bytes: data?.byteLength ?? 0 });
    files.set(
      url,
      fetch(url)
        .then((response) => (response.ok ? response.arrayBuffer() : null))
        .then(done, () => done(null)),
    );
  }
  return files;
}

/** The last part of a URL's path (the file's name), for logs. */
export function fileName(url: string): string {
  return decodeURIComponent(url.split(/[?#]/)[0].split("/").pop() ?? url);
}

/** One log line for the files fetched ahead: each one's time and size, the failed ones named. */
export function describeAhead(files: readonly AheadFile[]): string {
  const parts = files.map((file) =>
    file.data === null
      ? `${fileName(file.url)} failed${file.byHost ? " (the host sent no bytes)" : ""}`
      : `${fileName(file.url)} ${file.ms.toFixed(0)} ms (${(file.bytes / 1e6).toFixed(2)} MB${file.byHost ? ", from the host" : ""})`,
  );
  return `the page fetched ahead: ${parts.join(", ")}`;
}

/** A URL as `new URL()` writes it (Pyodide resolves its URLs so before fetching them); as given when it is not absolute. */
export function normalUrl(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

interface Waiting {
  promise: Promise<ArrayBuffer | null>;
  resolve(data: ArrayBuffer | null): void;
  taken: boolean;
}

/** The worker's side: the files the page fetches for it, each taken once. */
export class AheadFiles {
  private readonly waiting = new Map<string, Waiting>();

  /** The page will send these URLs' bytes. */
  expect(urls: readonly string[]): void {
    for (const given of urls) {
      const url = normalUrl(given);
      if (this.waiting.has(url)) continue;
      let resolve: (data: ArrayBuffer | null) => void = () => undefined;
      const promise = new Promise<ArrayBuffer | null>((done) => (resolve = done));
      this.waiting.set(url, { promise, resolve, taken: false });
    }
  }

  /** A file arrived from the page (null: the page could not fetch it). */
  deliver(url: string, data: ArrayBuffer | null): void {
    this.waiting.get(normalUrl(url))?.resolve(data);
  }

  /** The page's bytes for `url` (once; null when its fetch failed), or undefined when the page is not fetching it. */
  take(given: string): Promise<ArrayBuffer | null> | undefined {
    const url = normalUrl(given);
    const entry = this.waiting.get(url);
    if (!entry || entry.taken) return undefined;
    entry.taken = true; // its bytes may still be on their way: deliver() resolves it
    // Then forgotten, so the bytes are not held once used.
    return entry.promise.finally(() => this.waiting.delete(url));
  }

  /**
   * `fetch`, answering the page's files from their bytes; anything else is
   * fetched, as is a file the page failed to get (`onMissed` is told).
   */
  wrap(fetch: Fetch, onMissed?: (url: string) => void): Fetch {
    return async (input, init) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      const ahead = this.take(url);
      const data = ahead ? await ahead : null;
      if (data !== null) return new Response(data, { status: 200 });
      if (ahead) onMissed?.(url);
      return fetch(input, init);
    };
  }
}
