/**
 * The HTML shell of a webview: a strict Content Security Policy with a fresh
 * nonce, the VS Code theme via CSS variables, and one bundled script.
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
}

export function contentSecurityPolicy(cspSource: string, nonce: string, wasm: boolean): string {
  const directives = [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
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

export function webviewShell(o: ShellOptions): string {
  const data = Object.entries(o.data ?? {})
    .map(([key, value]) => ` data-${key}="${attr(value)}"`)
    .join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o.cspSource, o.nonce, o.wasm ?? false))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${o.headScript ? `<script nonce="${o.nonce}">${o.headScript}</script>\n` : ""}<link rel="stylesheet" href="${attr(o.styleUri)}">
<title>${attr(o.title)}</title>
</head>
<body${data}>
${o.body}
<script nonce="${o.nonce}" src="${attr(o.scriptUri)}"></script>
</body>
</html>`;
}
