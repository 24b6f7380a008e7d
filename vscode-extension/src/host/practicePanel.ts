/**
 * The practice webview (host side): shows the question of the practice file
 * in front, Run / Stop / Hint / Submit buttons, an output console, per-test
 * results and the Pyodide runtime's status line. It also hosts the Pyodide
 * runtime that answers the server's `pytrix/runTests` requests.
 *
 * Everything the webview sends is validated (lib/messages.ts) before use.
 */

import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { join } from "node:path";
import MarkdownIt from "markdown-it";
import * as vscode from "vscode";
import { webviewShell, makeNonce } from "../lib/html";
import { parseFromPractice, type PracticeAction, type RunSummary, type ToPractice } from "../lib/messages";
import type { RuntimeStatus } from "../lib/pyodideRuntime";
import type { RunTestsParams, RunTestsResult } from "../lib/runTests";

export interface PracticeTarget {
  uri: vscode.Uri;
  questionId: string;
}

export interface PracticeDelegate {
  /** The practice file the panel works on (the active one, or the last one). */
  target(): PracticeTarget | undefined;
  /** Markdown of a question (from the server). */
  questionMarkdown(questionId: string): Promise<string>;
  /** Run a panel button's action against the target file. */
  act(action: PracticeAction, target: PracticeTarget): Promise<void>;
  log(text: string): void;
}

interface Pending {
  resolve(result: RunTestsResult): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });

export class PracticePanel implements vscode.Disposable {
  static readonly viewType = "pytrix.practice";
  private panel: vscode.WebviewPanel | undefined;
  private ready: Promise<void> | undefined;
  private markReady: (() => void) | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private shownQuestion: string | null = null;
  runtimeStatus: RuntimeStatus | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  /**
   * `storage` (the extension's global storage) keeps a memory snapshot of a
   * freshly booted Pyodide between sessions, named by `snapshotKey` (the
   * Pyodide and extension versions), so later panels restore it instead of
   * booting Python; a snapshot that fails to restore is replaced.
   */
  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly delegate: PracticeDelegate,
    private readonly storage?: vscode.Uri,
    private readonly snapshotKey = "pyodide",
  ) {}

  private get snapshotFile(): vscode.Uri | undefined {
    return this.storage ? vscode.Uri.joinPath(this.storage, `${this.snapshotKey}.snapshot`) : undefined;
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /** Open (or reveal) the panel beside the editor; resolves when its script is up. */
  open(preserveFocus = false): Promise<void> {
    if (this.panel) {
      this.panel.reveal(undefined, preserveFocus);
      return this.ready ?? Promise.resolve();
    }
    const root = vscode.Uri.joinPath(this.extensionUri, "out");
    const panel = vscode.window.createWebviewPanel(
      PracticePanel.viewType,
      "Pytrix Practice",
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: [root, vscode.Uri.joinPath(this.extensionUri, "media"), ...(this.storage ? [this.storage] : [])],
      },
    );
    this.panel = panel;
    this.ready = new Promise((resolve) => {
      this.markReady = resolve;
    });
    const webview = panel.webview;
    const asUri = (...parts: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...parts)).toString();
    const nonce = makeNonce((n) => randomBytes(n));
    webview.html = webviewShell({
      cspSource: webview.cspSource,
      nonce,
      title: "Pytrix Practice",
      scriptUri: asUri("out", "webview", "practice.js"),
      styleUri: asUri("media", "practice.css"),
      wasm: true,
      data: {
        worker: asUri("out", "webview", "worker.js"),
        pyodide: `${asUri("out", "pyodide")}/`,
        snapshot: this.snapshotFile && fs.existsSync(this.snapshotFile.fsPath) ? webview.asWebviewUri(this.snapshotFile).toString() : "",
      },
      body: PRACTICE_BODY,
    });
    webview.onDidReceiveMessage((data) => this.receive(data), undefined, this.disposables);
    panel.onDidDispose(() => this.closed(), undefined, this.disposables);
    this.shownQuestion = null;
    return this.ready;
  }

  private closed(): void {
    this.panel = undefined;
    this.ready = undefined;
    this.runtimeStatus = undefined;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error("The practice panel was closed."));
      this.pending.delete(id);
    }
  }

  post(message: ToPractice): void {
    void this.panel?.webview.postMessage(message);
  }

  /** Show the target's question (when it changed, or when `force`). */
  async showQuestion(force = false): Promise<void> {
    if (!this.panel) return;
    const target = this.delegate.target();
    if (!target) {
      this.shownQuestion = null;
      this.post({ type: "question", questionId: null, title: "No practice file", html: NO_PRACTICE_HTML, file: null });
      return;
    }
    if (!force && this.shownQuestion === target.questionId) return;
    this.shownQuestion = target.questionId;
    let html: string;
    try {
      html = markdown.render(await this.delegate.questionMarkdown(target.questionId));
    } catch (error) {
      html = `<p>Could not load the question: ${markdown.utils.escapeHtml(String(error))}</p>`;
    }
    this.post({ type: "question", questionId: target.questionId, title: target.questionId, html, file: vscode.workspace.asRelativePath(target.uri) });
  }

  showResults(summary: RunSummary, label: string): void {
    this.post({ type: "results", summary, label });
  }

  output(text: string, kind: "info" | "error" = "info"): void {
    this.post({ type: "output", text, kind });
  }

  busy(action: PracticeAction | null): void {
    this.post({ type: "busy", action });
  }

  /** Answer a `pytrix/runTests` request with the panel's Pyodide (opening the panel if needed). */
  async runTests(params: RunTestsParams, token: vscode.CancellationToken): Promise<RunTestsResult> {
    await this.open(true);
    const id = ++this.nextId;
    const limitMs = (params.runTimeout + 60) * 1000;
    return new Promise<RunTestsResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error("The practice panel did not answer in time."));
      }, limitMs);
      this.pending.set(id, { resolve, reject, timer });
      // A cancelled request (a newer edit superseded it) is left to finish: runs take
      // milliseconds, and stopping one would cost a worker restart when not isolated.
      // Stuck tests are stopped by the time limits either way.
      void token;
      this.post({ type: "runTests", id, params });
    });
  }

  /** Stop the Pyodide run in progress, if any. */
  stop(): void {
    this.post({ type: "stop" });
  }

  private receive(data: unknown): void {
    const message = parseFromPractice(data);
    if (message === null) {
      this.delegate.log(`[practice] dropped an unexpected message from the webview: ${JSON.stringify(data)?.slice(0, 200)}`);
      return;
    }
    switch (message.type) {
      case "ready":
        this.markReady?.();
        void this.showQuestion(true);
        break;
      case "action": {
        const target = this.delegate.target();
        if (message.action === "showQuestion") {
          void this.showQuestion(true);
        } else if (!target) {
          this.output("Open a practice file first (Pytrix: New Question…).", "error");
        } else {
          void this.delegate.act(message.action, target);
        }
        break;
      }
      case "runtimeStatus":
        this.runtimeStatus = message.status;
        break;
      case "runTestsResult":
      case "runTestsError": {
        const pending = this.pending.get(message.id);
        if (!pending) return;
        this.pending.delete(message.id);
        clearTimeout(pending.timer);
        if (message.type === "runTestsResult") pending.resolve(message.result);
        else pending.reject(new Error(message.message));
        break;
      }
      case "log":
        this.delegate.log(`[pyodide] ${message.text}`);
        break;
      case "snapshot":
        this.keepSnapshot(message.data);
        break;
    }
  }

  private keepSnapshot(data: Uint8Array): void {
    const file = this.snapshotFile;
    if (!file || !this.storage) return;
    const storage = this.storage.fsPath;
    const temporary = `${file.fsPath}.${process.pid}.tmp`;
    fs.promises
      .mkdir(storage, { recursive: true })
      .then(() => fs.promises.writeFile(temporary, data))
      .then(() => fs.promises.rename(temporary, file.fsPath))
      .then(() => this.dropOtherSnapshots(storage, file.fsPath))
      .then(() => this.delegate.log(`[pyodide] kept an interpreter snapshot (${(data.byteLength / 1e6).toFixed(1)} MB) for the next session`))
      .catch((error: unknown) => this.delegate.log(`[pyodide] could not keep the interpreter snapshot: ${String(error)}`));
  }

  /** Snapshots of other Pyodide or extension versions are of no use any more. */
  private async dropOtherSnapshots(storage: string, keep: string): Promise<void> {
    for (const name of await fs.promises.readdir(storage)) {
      const path = join(storage, name);
      if (name.endsWith(".snapshot") && path !== keep) await fs.promises.rm(path, { force: true });
    }
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

const NO_PRACTICE_HTML =
  "<p>Open a practice file (its first line is <code># pytrix: question=…</code>) or run <b>Pytrix: New Question…</b>.</p>";

const PRACTICE_BODY = `
<header class="toolbar">
  <button id="run" class="primary" title="Run the tests">Run</button>
  <button id="stop" title="Stop the running tests" disabled>Stop</button>
  <button id="hint" title="Reveal the next hint">Hint</button>
  <button id="submit" title="Run every test and record the attempt">Submit</button>
  <span id="file" class="file"></span>
</header>
<main>
  <section id="question" class="question" aria-label="Question"></section>
  <section class="results" aria-label="Test results">
    <h2 id="results-title">Tests</h2>
    <div id="summary" class="summary">No run yet.</div>
    <ol id="tests" class="tests"></ol>
  </section>
  <section class="console" aria-label="Output">
    <h2>Output</h2>
    <pre id="console" class="console-text"></pre>
  </section>
</main>
<footer id="runtime" class="runtime" aria-live="polite"></footer>
`;
