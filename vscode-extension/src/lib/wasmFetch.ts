/**
 * Pyodide's interpreter (`pyodide.asm.wasm`, 9.6 MB) ships gzip-compressed
 * beside it (3.6 MB; the .vsix carries only that one): inside a VS Code
 * webview every byte passes through the webview's resource loader, which is
 * slow in code-server, so fetching a third of the bytes and decompressing
 * them natively as they arrive saves about a second of the panel's start.
 *
 * `compressedFirst` wraps `fetch` for the worker: a request for a `.wasm`
 * file tries `<url>.gz` first and answers with the decompressed stream (typed
 * `application/wasm`, so `WebAssembly.instantiateStreaming` still compiles
 * while it downloads); without a `.gz` beside it, the plain file is fetched.
 * Every other request goes to `fetch` unchanged.
 */

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export function compressedFirst(fetch: Fetch, onPlain?: (url: string) => void): Fetch {
  return async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!/\.wasm$/.test(url.split("?")[0])) return fetch(input, init);
    let compressed: Response | null = null;
    try {
      compressed = await fetch(`${url}.gz`, init);
    } catch {
      compressed = null;
    }
    if (compressed?.ok && compressed.body) {
      return new Response(compressed.body.pipeThrough(new DecompressionStream("gzip")), {
        status: 200,
        headers: { "Content-Type": "application/wasm" },
      });
    }
    onPlain?.(url);
    return fetch(input, init);
  };
}
