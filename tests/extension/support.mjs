// Shared helpers for the extension's browser tests and the Pyodide benchmark:
// a static file server (optionally cross-origin isolated), Debian's Chromium
// through playwright-core, and the harness cases built by the server's code.

import { spawnSync } from "node:child_process";
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { dirname, extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(HERE, "..", "..");
export const EXTENSION = join(REPO, "vscode-extension");
export const require = createRequire(join(EXTENSION, "package.json"));

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".zip": "application/zip",
  ".map": "application/json",
  ".css": "text/css",
};

/** Python of the repo's virtualenv (or $PYTHON). */
export function python() {
  if (process.env.PYTHON) return process.env.PYTHON;
  const venv = join(REPO, ".venv", "bin", "python");
  return existsSync(venv) ? venv : "python3";
}

/** The `pytrix/runTests` params the server would send, for every program of harness_cases.py. */
export function harnessCases(testTimeout = 1, runTimeout = 10) {
  const proc = spawnSync(
    python(),
    [join(HERE, "harness_cases.py"), "--test-timeout", String(testTimeout), "--run-timeout", String(runTimeout)],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  if (proc.status !== 0) {
    throw new Error(`harness_cases.py failed: ${proc.stderr}`);
  }
  return JSON.parse(proc.stdout);
}

/**
 * Serve `root` on 127.0.0.1 (a free port). With `isolated`, every response
 * carries COOP/COEP/CORP so pages are cross-origin isolated.
 * `pages` maps extra paths to HTML strings.
 */
export async function serve(root, { isolated = false, pages = {} } = {}) {
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://localhost");
    const headers = { "Cache-Control": "no-store" };
    if (isolated) {
      headers["Cross-Origin-Opener-Policy"] = "same-origin";
      headers["Cross-Origin-Embedder-Policy"] = "require-corp";
      headers["Cross-Origin-Resource-Policy"] = "same-origin";
    }
    if (pages[url.pathname] !== undefined) {
      res.writeHead(200, { ...headers, "Content-Type": TYPES[".html"] });
      res.end(pages[url.pathname]);
      return;
    }
    const path = normalize(join(root, decodeURIComponent(url.pathname)));
    if (!path.startsWith(root) || !existsSync(path) || !statSync(path).isFile()) {
      res.writeHead(404, headers);
      res.end("not found");
      return;
    }
    res.writeHead(200, { ...headers, "Content-Type": TYPES[extname(path)] ?? "application/octet-stream" });
    createReadStream(path).pipe(res);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((ok) => server.close(ok)) };
}

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/** Launch Debian's Chromium through playwright-core (never a downloaded browser). */
export async function launchChromium() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: apt-get install -y chromium`);
  }
  const { chromium } = require("playwright-core");
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** The test page: loads the runtime exactly as the practice panel does (a blob module worker). */
export const RUNTIME_PAGE = `<!doctype html>
<meta charset="utf-8">
<title>pytrix runtime test</title>
<script type="module">
  import { PyodideRuntime, blobWorkerFactory } from "/testkit/testkit.mjs";
  // Every harness event any worker sends, so a test can wait for one (e.g. a test's
  // "begin") instead of waiting a fixed time.
  window.workerEvents = [];
  window.nextWorkerEvent = (wanted) => new Promise((resolve) => {
    window.waitingFor = { wanted, resolve };
  });
  const observe = (event) => {
    window.workerEvents.push(event);
    if (window.waitingFor && event.event === window.waitingFor.wanted) {
      const { resolve } = window.waitingFor;
      window.waitingFor = null;
      resolve(event);
    }
  };
  window.makeRuntime = async (options = {}) => {
    const makeWorker = await blobWorkerFactory(new URL("/webview/worker.js", location.href).href);
    const createWorker = () => {
      const inner = makeWorker();
      const outer = {
        postMessage: (message, transfer) => inner.postMessage(message, transfer),
        terminate: () => inner.terminate(),
        onmessage: null,
        onerror: null,
      };
      inner.onmessage = (event) => {
        if (event.data && event.data.type === "event" && typeof event.data.event === "string") {
          try { observe(JSON.parse(event.data.event)); } catch { /* not ours to judge */ }
        }
        outer.onmessage?.(event);
      };
      inner.onerror = (event) => outer.onerror?.(event);
      return outer;
    };
    const runtime = new PyodideRuntime({
      createWorker,
      indexURL: new URL("/pyodide/", location.href).href,
      isolated: window.crossOriginIsolated === true,
      graceMs: options.graceMs ?? 1000, // the extension's default (lib/pyodideRuntime.ts)
      onLog: (text) => console.log("worker: " + text),
      // With options.keep, snapshots survive across runtimes (like the extension's global storage).
      initialSnapshot: options.keep ? async () => window.keptSnapshot ?? null : undefined,
      onSnapshot: options.keep ? (snapshot) => { window.keptSnapshot = snapshot.slice(0); } : undefined,
    });
    window.runtime = runtime;
    return runtime.current;
  };
  window.pageReady = true;
</script>`;
