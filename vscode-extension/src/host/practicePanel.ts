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
import { dirname, join } from "node:path";
import MarkdownIt from "markdown-it";
import * as vscode from "vscode";
import { fetchAheadScript, fileName, panelFiles, PYODIDE_FILES } from "../lib/fetchAhead";
import { inlinable, webviewShell, makeNonce } from "../lib/html";
import { HELD_BACK_MS, PAGE_UP_LIMIT_MS, pageUpWithin } from "../lib/pageUp";
import { parseFromPractice, type PracticeAction, type RunSummary, type ToPractice } from "../lib/messages";
import type { RuntimeStatus } from "../lib/pyodideRuntime";
import type { RunTestsParams, RunTestsResult } from "../lib/runTests";
import { SnapshotStore, type SnapshotCheck } from "../lib/snapshotStore";
import { isKey, shippedKey, snapshotKey } from "../lib/pageCache";
import { NODE_SNAPSHOT_IO, sha256 } from "./snapshotFiles";

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

/** A file the page would fetch ahead, and how the host reads its bytes to post them instead. */
interface AheadSource {
  url: string;
  read(): Promise<Uint8Array | null>;
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
  /** The open panel's own listeners, dropped when it closes. */
  private panelListeners: vscode.Disposable[] = [];
  private readonly harnessFile: string | undefined;
  private readonly snapshots: SnapshotStore | undefined;
  private snapshotCheck: Promise<SnapshotCheck> | undefined;
  /** The full check's outcome, once known (until a new snapshot is kept). */
  private checked: SnapshotCheck | undefined;
  /** The kept snapshot this panel's page was offered before its checksum was known, and the verdict once known. */
  private offered: { url: string; good?: boolean } | undefined;
  /** When the panel was opened (Date.now()), and whether its first run has answered yet. */
  private openedAt = 0;
  private answered = false;
  /** Whether the panel came back with the window (restore()) rather than opening anew. */
  private restored = false;
  /** When the last panel closed (Date.now()): VS Code may hold back the page of one opened soon after. */
  private closedAt: number | undefined;
  /** This panel opened within HELD_BACK_MS of one closing: a run waits for its page at most PAGE_UP_LIMIT_MS (lib/pageUp.ts). */
  private mayBeHeldBack = false;
  /**
   * In web VS Code (code-server) the page keeps Pyodide's files and the snapshot in its origin's
   * cache (lib/pageCache.ts): each shipped file's key (its SHA-256, out/pyodide/digests.json, read
   * once; null: unreadable, no cache), and the file recording which keys the pages reported kept.
   */
  private readonly pageCacheRecord: string | undefined;
  private shippedDigests: Record<string, string> | null | undefined;
  /** The page's script and stylesheet read for inlining (null: unreadable, loaded by URL). */
  private inlineSources: { script: string; style: string } | null | undefined;
  /** The files this panel's page takes from the host, sent again if the page reloads. */
  private posted: readonly AheadSource[] = [];
  /** Milliseconds from opening the panel to its script being up, and to Pyodide being ready (the first time). */
  private pageUpMs: number | undefined;
  private pyodideReadyMs: number | undefined;
  /** Milliseconds from opening the panel to its HTML being set, and to the kept snapshot's checksum verdict. */
  private htmlSetMs: number | undefined;
  private verdictMs: number | undefined;

  /**
   * `storage` (the extension's global storage) keeps a memory snapshot of
   * Pyodide booted with the shipped harness loaded, checked against the
   * Pyodide version and the harness's hash (lib/snapshotStore.ts), so later
   * panels restore it instead of booting Python and loading the harness; a
   * missing, stale or damaged one means a fresh boot, which keeps a new one.
   */
  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly delegate: PracticeDelegate,
    private readonly storage?: vscode.Uri,
    pyodideVersion = "unknown",
  ) {
    this.harnessFile = shippedHarness(extensionUri.fsPath);
    // Only web VS Code gives every webview one origin (a cache a later window finds) and a slow channel to it.
    this.pageCacheRecord = storage && vscode.env.uiKind === vscode.UIKind.Web ? join(storage.fsPath, "page-cache.json") : undefined;
    if (storage && this.harnessFile) {
      const harnessSha256 = sha256(fs.readFileSync(this.harnessFile));
      this.snapshots = new SnapshotStore(storage.fsPath, { pyodide: pyodideVersion, harnessSha256 }, NODE_SNAPSHOT_IO);
    }
  }

  /** Check the kept snapshot once per session (its checksum is read in full); a damaged one is removed and logged. */
  checkSnapshot(): Promise<SnapshotCheck> {
    if (!this.snapshots) return Promise.resolve({ state: "missing" });
    if (!this.snapshotCheck) {
      const check = this.snapshots.check().then(
        (check) => {
          if (check.state === "damaged") this.delegate.log(`[pyodide] the kept interpreter snapshot was removed (${check.reason}); Python boots afresh`);
          return check;
        },
        (error: unknown): SnapshotCheck => ({ state: "damaged", reason: String(error) }),
      );
      this.snapshotCheck = check;
      void check.then((done) => {
        if (this.snapshotCheck === check) this.checked = done;
      });
    }
    return this.snapshotCheck;
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /**
   * Open (or reveal) the panel beside the editor; resolves when its script is up.
   * `runtime` "pyodide" starts the interpreter with the page instead of at the first run.
   */
  open(preserveFocus = false, runtime?: "pyodide" | "subprocess"): Promise<void> {
    if (this.panel) {
      this.panel.reveal(undefined, preserveFocus);
      return this.ready ?? Promise.resolve();
    }
    const panel = vscode.window.createWebviewPanel(
      PracticePanel.viewType,
      "Pytrix Practice",
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      { ...this.webviewOptions(), retainContextWhenHidden: true },
    );
    return this.adopt(panel, runtime);
  }

  /**
   * Take up the panel VS Code restored with the window (this is the view type's serializer): its
   * page starts as the workbench comes up, before anything asks for it, instead of a new panel
   * opening once the practice file is followed. A second one (a panel is already open) is closed.
   */
  restore(panel: vscode.WebviewPanel, runtime?: "pyodide" | "subprocess"): Promise<void> {
    if (this.panel) {
      this.delegate.log("[practice] closed a second practice panel VS Code restored (one is open)");
      panel.dispose();
      return this.ready ?? Promise.resolve();
    }
    this.delegate.log("[practice] the practice panel came back with the window");
    panel.webview.options = this.webviewOptions();
    const ready = this.adopt(panel, runtime);
    this.restored = true;
    return ready;
  }

  /** A practice panel VS Code restores with the window, not yet taken up (it is, once shown). */
  static restoredTab(): vscode.Tab | undefined {
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        if (tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith(PracticePanel.viewType)) return tab;
      }
    }
    return undefined;
  }

  private webviewOptions(): vscode.WebviewOptions {
    return {
      enableScripts: true,
      localResourceRoots: [
        vscode.Uri.joinPath(this.extensionUri, "out"),
        vscode.Uri.joinPath(this.extensionUri, "media"),
        ...(this.storage ? [this.storage] : []),
        ...(this.harnessFile ? [vscode.Uri.file(dirname(this.harnessFile))] : []),
      ],
    };
  }

  private adopt(panel: vscode.WebviewPanel, runtime: "pyodide" | "subprocess" | undefined): Promise<void> {
    this.openedAt = Date.now();
    this.restored = false;
    this.mayBeHeldBack = this.closedAt !== undefined && this.openedAt - this.closedAt <= HELD_BACK_MS;
    this.posted = [];
    this.answered = false;
    this.pageUpMs = undefined;
    this.pyodideReadyMs = undefined;
    this.htmlSetMs = undefined;
    this.verdictMs = undefined;
    this.offered = undefined;
    this.panel = panel;
    this.ready = new Promise((resolve) => {
      this.markReady = resolve;
    });
    const webview = panel.webview;
    this.render(webview, runtime);
    webview.onDidReceiveMessage((data) => this.receive(data), undefined, this.panelListeners);
    panel.onDidDispose(() => this.closed(), undefined, this.panelListeners);
    this.shownQuestion = null;
    return this.ready;
  }

  /**
   * The page, at once: the kept snapshot is offered when its cheap checks pass (its record, its
   * size: `look()`), and its checksum's verdict follows when the full check is done (the page's
   * worker restores nothing before a good one, lib/snapshotVerdict.ts), so the page fetches the
   * snapshot from its first moment; a snapshot already checked this session is offered as good.
   */
  private render(webview: vscode.Webview, runtime: "pyodide" | "subprocess" | undefined): void {
    const full = this.checkSnapshot();
    const check = this.checked ?? this.snapshots?.look() ?? { state: "missing" };
    const asUri = (...parts: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...parts)).toString();
    const nonce = makeNonce((n) => randomBytes(n));
    const files = {
      worker: asUri("out", "webview", "worker.js"),
      pyodide: `${asUri("out", "pyodide")}/`,
      snapshot: check.state === "usable" ? webview.asWebviewUri(vscode.Uri.file(check.file)).toString() : "",
      harness: this.harnessFile ? webview.asWebviewUri(vscode.Uri.file(this.harnessFile)).toString() : "",
    };
    // In the Pyodide runtime the first worker's files are posted with the HTML rather than fetched (lib/fetchAhead.ts),
    // except those the page's cache holds (lib/pageCache.ts).
    const cache = runtime === "pyodide" ? this.cacheKeys(files, check) : undefined;
    const kept = cache ? this.pageCacheHolds() : new Set<string>();
    const posted = runtime === "pyodide" ? this.aheadFiles(files, check).filter((file) => !kept.has(cache?.[file.url] ?? "")) : [];
    webview.html = webviewShell({
      cspSource: webview.cspSource,
      nonce,
      title: "Pytrix Practice",
      scriptUri: asUri("out", "webview", "practice.js"),
      styleUri: asUri("media", "practice.css"),
      inline: this.pageSources(),
      wasm: true,
      data: { ...files, runtime: runtime ?? "", verdict: files.snapshot && !this.checked ? "pending" : "", cache: cache ? JSON.stringify(cache) : "" },
      // In the Pyodide runtime the first worker's files are fetched from the page's first moment (lib/fetchAhead.ts).
      headScript: runtime === "pyodide" ? fetchAheadScript(posted.map((file) => file.url)) : undefined,
      body: PRACTICE_BODY,
    });
    this.htmlSetMs = Date.now() - this.openedAt;
    if (posted.length) {
      this.posted = posted;
      this.postAheadFiles(webview, posted);
    }
    if (!files.snapshot || this.checked) return;
    const url = files.snapshot;
    this.offered = { url };
    void full.then((done) => {
      if (this.panel?.webview !== webview) return; // closed meanwhile
      this.verdictMs = Date.now() - this.openedAt;
      this.offered = { url, good: done.state === "usable" };
      this.postVerdict();
    });
  }

  /**
   * URL to key of the files the page may keep in its origin's cache (lib/pageCache.ts): Pyodide's
   * shipped files by their digests, and a usable kept snapshot by its decompressed bytes' checksum; undefined
   * where the page keeps nothing (desktop VS Code, or no digests).
   */
  private cacheKeys(files: { pyodide: string; snapshot: string }, check: SnapshotCheck): Record<string, string> | undefined {
    if (!this.pageCacheRecord) return undefined;
    if (this.shippedDigests === undefined) {
      try {
        const digests: unknown = JSON.parse(fs.readFileSync(join(this.extensionUri.fsPath, "out", "pyodide", "digests.json"), "utf8"));
        this.shippedDigests = typeof digests === "object" && digests !== null ? (digests as Record<string, string>) : null;
      } catch (error) {
        this.delegate.log(`[pyodide] the page keeps no files in its cache: the shipped files' digests are unreadable (${String(error)})`);
        this.shippedDigests = null;
      }
    }
    if (!this.shippedDigests) return undefined;
    const keys: Record<string, string> = {};
    for (const name of PYODIDE_FILES) {
      const key = shippedKey(name, String(this.shippedDigests[name]));
      if (isKey(key)) keys[`${files.pyodide}${name}`] = key;
    }
    if (files.snapshot && check.state === "usable" && check.rawSha256) keys[files.snapshot] = snapshotKey(check.rawSha256);
    return keys;
  }

  /** The keys the pages last reported their cache holding (none when unrecorded or unreadable). */
  private pageCacheHolds(): Set<string> {
    if (!this.pageCacheRecord) return new Set();
    try {
      const record: unknown = JSON.parse(fs.readFileSync(this.pageCacheRecord, "utf8"));
      const keys = typeof record === "object" && record !== null ? (record as { keys?: unknown }).keys : undefined;
      return new Set(Array.isArray(keys) ? keys.filter(isKey) : []);
    } catch {
      return new Set();
    }
  }

  /** Record what the page's cache now holds, so the next page is not sent those files. */
  private recordPageCache(keys: string[]): void {
    if (!this.pageCacheRecord) return;
    const file = this.pageCacheRecord;
    const temporary = `${file}.${randomBytes(6).toString("hex")}.tmp`; // two reports may overlap
    void fs.promises
      .mkdir(dirname(file), { recursive: true })
      .then(() => fs.promises.writeFile(temporary, JSON.stringify({ keys })))
      .then(() => fs.promises.rename(temporary, file))
      .catch((error: unknown) => this.delegate.log(`[pyodide] could not record what the page's cache holds: ${String(error)}`));
  }

  /**
   * The files the first worker needs (lib/fetchAhead.ts `panelFiles`), each with how the host reads
   * its bytes: the shipped ones from the extension, the kept snapshot checked against its record
   * and checksum as read (`SnapshotStore.verifiedBytes`: what the page restores is what was checked).
   */
  private aheadFiles(files: { worker: string; harness: string; snapshot: string; pyodide: string }, check: SnapshotCheck): AheadSource[] {
    const root = this.extensionUri.fsPath;
    const fromDisk = (path: string) => () => fs.promises.readFile(path).then((bytes) => new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const sources = new Map<string, () => Promise<Uint8Array | null>>([
      [files.worker, fromDisk(join(root, "out", "webview", "worker.js"))],
      ...PYODIDE_FILES.map((name): [string, () => Promise<Uint8Array>] => [`${files.pyodide}${name}`, fromDisk(join(root, "out", "pyodide", name))]),
    ]);
    if (files.harness && this.harnessFile) sources.set(files.harness, fromDisk(this.harnessFile));
    if (files.snapshot && check.state === "usable") sources.set(files.snapshot, () => this.snapshots?.verifiedBytes() ?? Promise.resolve(null));
    // In the order the worker needs them: its script and Pyodide's loader first, the big files after.
    return panelFiles(files).flatMap((url) => {
      const read = sources.get(url);
      return read ? [{ url, read }] : [];
    });
  }

  /**
   * Post the files' bytes to the page, one message a file in order (its head script takes them for
   * the first worker; VS Code holds the messages until the page is there). A file the host cannot
   * read goes as null, and the worker fetches it.
   */
  private postAheadFiles(webview: vscode.Webview, files: readonly AheadSource[]): void {
    const reads = files.map((file) => file.read().catch((error: unknown) => {
      this.delegate.log(`[pyodide] could not read ${fileName(file.url)} to send it to the panel: ${String(error)}`);
      return null;
    }));
    void (async () => {
      for (const [i, file] of files.entries()) {
        const data = await reads[i];
        if (this.panel?.webview !== webview) return; // closed meanwhile
        void webview.postMessage({ type: "aheadFile", url: file.url, data } satisfies ToPractice);
      }
    })();
  }

  /**
   * The page's script and stylesheet, written into its HTML so the page's script runs as soon as
   * the HTML is parsed, without a fetch through VS Code's resource loader (0.15 s in code-server);
   * read once. Unreadable: undefined, and the page loads them by URL.
   */
  private pageSources(): { script: string; style: string } | undefined {
    if (this.inlineSources === undefined) {
      try {
        const root = this.extensionUri.fsPath;
        const sources = {
          script: fs.readFileSync(join(root, "out", "webview", "practice.js"), "utf8"),
          style: fs.readFileSync(join(root, "media", "practice.css"), "utf8"),
        };
        this.inlineSources = inlinable(sources.script) && inlinable(sources.style) ? sources : null;
        if (this.inlineSources === null) this.delegate.log("[practice] the panel's script is loaded by URL (it holds text that would end an inline script)");
      } catch (error) {
        this.delegate.log(`[practice] the panel's script is loaded by URL (could not read it: ${String(error)})`);
        this.inlineSources = null;
      }
    }
    return this.inlineSources ?? undefined;
  }

  /** Send the page the verdict on the snapshot it was offered unchecked (again when its script comes up). */
  private postVerdict(): void {
    const offered = this.offered;
    if (offered?.good !== undefined) this.post({ type: "snapshotVerdict", url: offered.url, good: offered.good });
  }

  private closed(): void {
    this.closedAt = Date.now();
    for (const d of this.panelListeners) d.dispose();
    this.panelListeners = [];
    this.markReady?.(); // whoever waits for the page goes on (a run finds the panel gone)
    this.markReady = undefined;
    this.panel = undefined;
    this.ready = undefined;
    this.runtimeStatus = undefined;
    this.offered = undefined;
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
    const asked = Date.now();
    // A page VS Code may hold back fails the run soon (the server then uses its sandbox), not after the server's limit.
    const ready = this.open(true, "pyodide");
    await (this.mayBeHeldBack ? pageUpWithin(ready, this.openedAt) : ready);
    if (!this.panel) throw new Error("the practice panel was closed before its page came up");
    const id = ++this.nextId;
    const limitMs = (params.runTimeout + 60) * 1000;
    return new Promise<RunTestsResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error("The practice panel did not answer in time."));
      }, limitMs);
      this.pending.set(id, { resolve: (result) => this.firstAnswer(asked, result, resolve), reject, timer });
      // A cancelled request (a newer edit superseded it) is left to finish: runs take
      // milliseconds, and stopping one would cost a worker restart when not isolated.
      // Stuck tests are stopped by the time limits either way.
      void token;
      this.post({ type: "runTests", id, params });
    });
  }

  /** Log how long the panel's first answer took (the figure bench/pyodide_code_server.mjs reads). */
  private firstAnswer(asked: number, result: RunTestsResult, resolve: (result: RunTestsResult) => void): void {
    if (!this.answered) {
      this.answered = true;
      const now = Date.now();
      const path = this.runtimeStatus?.startPath ?? "unknown";
      const since = (ms: number | undefined) => (ms === undefined ? "?" : `${ms} ms`);
      this.delegate.log(
        `[pyodide] first result ${now - asked} ms after its request, ${now - this.openedAt} ms after the panel opened (start: ${path}; ` +
          `${this.restored ? "the panel came back with the window, " : ""}HTML set ${since(this.htmlSetMs)}, checksum verdict ${since(this.verdictMs)}, page up ${since(this.pageUpMs)}, Pyodide ready ${since(this.pyodideReadyMs)}, request ${asked - this.openedAt} ms after opening)`,
      );
    }
    resolve(result);
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
        if (this.pageUpMs === undefined) {
          this.pageUpMs = Date.now() - this.openedAt;
          if (this.pageUpMs > PAGE_UP_LIMIT_MS) this.delegate.log(`[practice] the panel's page came up late: ${this.pageUpMs} ms after the panel opened`);
        } else if (this.posted.length && this.panel) {
          // The page loaded again (the panel moved to another window): its head script waits for the bytes again.
          this.postAheadFiles(this.panel.webview, this.posted);
        }
        this.markReady?.();
        this.postVerdict();
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
        if (message.status.state === "ready") this.pyodideReadyMs ??= Date.now() - this.openedAt;
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
      case "cached":
        this.recordPageCache(message.keys);
        break;
    }
  }

  private keepSnapshot(data: Uint8Array): void {
    const store = this.snapshots;
    if (!store) return;
    const from = this.panel?.webview; // the page holding these bytes, told their key once kept
    store
      .keep(data)
      .then((rawSha256) => {
        if (this.pageCacheRecord && from && this.panel?.webview === from) void from.postMessage({ type: "snapshotKept", key: snapshotKey(rawSha256) } satisfies ToPractice);
        this.snapshotCheck = undefined; // the next panel checks the new one
        this.checked = undefined;
        this.delegate.log(`[pyodide] kept an interpreter snapshot (${(data.byteLength / 1e6).toFixed(1)} MB) for the next session`);
        // The page is not asked to fetch the new file now to warm the webview's resource cache: a
        // webview closed while one of its fetches is in flight leaves that request pending in VS Code's
        // service worker for its 30 s timeout, and the next webview's page waits for it (30 s late, and
        // the server falls back to the sandbox). The next window's page fetches it ahead (then cached).
      })
      .catch((error: unknown) => this.delegate.log(`[pyodide] could not keep the interpreter snapshot: ${String(error)}`));
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.panelListeners) d.dispose();
  }
}

/** The harness shipped with the extension (the bundled server's), else a development checkout's. */
function shippedHarness(extensionPath: string): string | undefined {
  const candidates = [
    join(extensionPath, "bundled", "libs", "common", "pytrix", "runner", "harness.py"),
    join(extensionPath, "..", "server", "pytrix", "runner", "harness.py"),
  ];
  return candidates.find((path) => fs.existsSync(path));
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
