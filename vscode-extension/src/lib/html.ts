/**
 * The HTML shell of a webview: a strict Content Security Policy with a fresh
 * nonce, the VS Code theme via CSS variables, and one bundled script. The
 * script and stylesheet may be written into the page itself (nonce'd), so the
 * page's script runs without a round trip through VS Code's resource loader.
 */

export function makeNonce(random: (n: number) => Uint8Array): string {
  return Array.from(random(18), (b) => b.toString(16).padStart(2, "0")).join("");
}

export interface ShellOptions {
  cspSource: string;
  nonce: string;
  title: string;
  scriptUri: string;
  styleUri: string;
  body: string;
  /** Data attributes for the script (resource URLs). */
  data?: Record<string, string>;
  /** Allow WebAssembly and blob workers (the Pyodide panel). */
  wasm?: boolean;
  /** A first script for the head, run before the stylesheet and the page's script load (nonce'd). */
  headScript?: string;
  /** The page's script and stylesheet themselves, written into the page (nonce'd) instead of `scriptUri` and `styleUri` (when `inlinable`). */
  inline?: { script: string; style: string };
}

export function contentSecurityPolicy(cspSource: string, nonce: string, wasm: boolean): string {
  const directives = [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'${wasm ? ` ${cspSource} blob: 'wasm-unsafe-eval'` : ""}`,
    `connect-src ${wasm ? cspSource : "'none'"}`,
    `worker-src ${wasm ? "blob:" : "'none'"}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
  ];
  return directives.join("; ");
}

function attr(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

/**
 * Whether text can be written into a <script> or <style> element as it is: nothing in it may end
 * the element early or change how the HTML parser reads it ("</script", "</style", "<!--").
 * Anything else goes by its URL instead (never rewritten: an escape could change what code means).
 */
export function inlinable(text: string): boolean {
  return !/<\/(script|style)|<!--/i.test(text);
}

export function webviewShell(o: ShellOptions): string {
  const inline = o.inline && inlinable(o.inline.script) && inlinable(o.inline.style) ? o.inline : undefined;
  const data = Object.entries(o.data ?? {})
    .map(([key, value]) => ` data-${key}="${attr(value)}"`)
    .join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o.cspSource, o.nonce, o.wasm ?? false))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${o.headScript ? `<script nonce="${o.nonce}">${o.headScript}</script>\n` : ""}${
    inline ? `<style nonce="${o.nonce}">${inline.style}</style>` : `<link rel="stylesheet" href="${attr(o.styleUri)}">`
  }
<title>${attr(o.title)}</title>
</head>
<body${data}>
${o.body}
${inline ? `<script nonce="${o.nonce}">${inline.script}</script>` : `<script nonce="${o.nonce}" src="${attr(o.scriptUri)}"></script>`}
</body>
</html>`;
}
