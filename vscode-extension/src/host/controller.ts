/**
 * The extension's wiring: the palette commands, the practice file in front,
 * the status bar, the `pytrix/runTests` handler and the API key. Each command
 * is a thin call into the language server (custom requests or
 * `workspace/executeCommand`), with the result shown in VS Code's own UI.
 */

import * as vscode from "vscode";
import { ExecuteCommandRequest, type LanguageClient, ResponseError, type Middleware } from "vscode-languageclient/node";
import {
  difficultyItems,
  moduleItems,
  newQuestionParams,
  parseCurriculum,
  problemTypeItems,
  subtopicItems,
  type CurriculumTree,
  type PickItem,
} from "../lib/curriculum";
import { summariseRun, type PracticeAction, type RunSummary } from "../lib/messages";
import { canGenerate, noticeOf, sourceItems, type QuestionSource } from "../lib/newQuestion";
import { DASHBOARD_URI, HEADER_SCAN_LINES, questionIdOf, SCHEME, USAGE_URI } from "../lib/practice";
import { InvalidParams, parseRunTestsParams, toWireResult } from "../lib/runTests";
import { reviewMarkdown } from "../lib/review";
import { runCount, streakOf } from "../lib/status";
import type {
  ConnectionReport,
  CurriculumReport,
  HintReport,
  LastRun,
  NewQuestionReport,
  OptimizeReport,
  QuestionDocument,
  ResetReport,
  RevealReport,
  ReviewReport,
  RunReport,
  StatsReport,
  Submission,
  UsageReport,
} from "../generated/protocol";
import { DashboardPanel } from "./dashboardPanel";
import { errorText, PytrixDocuments, showQuestionBeside } from "./documents";
import { PracticePanel, type PracticeTarget } from "./practicePanel";
import { ServerManager } from "./server";
import { StatusBar } from "./statusBar";

const SECRET_KEY = "pytrix.geminiApiKey";
declare const PYODIDE_VERSION: string; // set by esbuild from the pyodide package
const INVALID_PARAMS = -32602;
const METHOD_NOT_FOUND = -32601;

class Cancelled extends Error {}
/** The server could not start; ServerManager has already said why, with the buttons that fix it. */
class ServerUnavailable extends Error {}

export class Controller implements vscode.Disposable {
  readonly server: ServerManager;
  readonly documents: PytrixDocuments;
  readonly practice: PracticePanel;
  readonly dashboard: DashboardPanel;
  readonly status = new StatusBar();
  private target: PracticeTarget | undefined;
  private running: vscode.CancellationTokenSource | undefined;
  private noteCount = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext) {
    const middleware: Middleware = {
      // Every run of the practice file (typing, saving, another editor's command) reaches the
      // status bar and the panel, as data from pytrix/lastResult.
      handleDiagnostics: (uri, diagnostics, next) => {
        next(uri, diagnostics);
        if (this.target?.uri.toString() === uri.toString()) void this.followRun(uri);
      },
    };
    this.server = new ServerManager(context, {
      middleware,
      onCreated: (client) => this.onCreated(client),
      onStarted: () => void this.afterStart(),
    });
    this.disposables.push(this.server.onDidChangeState((state) => this.status.setServer(state)));
    this.documents = new PytrixDocuments(this.server);
    this.practice = new PracticePanel(
      context.extensionUri,
      {
        target: () => this.target,
        questionMarkdown: (id) => this.questionMarkdown(id),
        act: (action, target) => this.act(action, target),
        log: (text) => this.server.output.appendLine(text),
      },
      context.globalStorageUri,
      PYODIDE_VERSION,
    );
    this.dashboard = new DashboardPanel(context.extensionUri, this.server);
    this.disposables.push(
      this.server,
      this.documents,
      this.practice,
      this.dashboard,
      this.status,
      vscode.window.onDidChangeActiveTextEditor((editor) => this.follow(editor)),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document === vscode.window.activeTextEditor?.document) this.follow(vscode.window.activeTextEditor);
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration("pytrix.server.python") || event.affectsConfiguration("pytrix.server.importStrategy")) {
          void this.server.restart();
        }
        if (event.affectsConfiguration("pytrix.runtime")) this.configurePanel();
      }),
    );
    this.registerCommands();
    // The practice panel comes back with the window (its page starting with the workbench).
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(PracticePanel.viewType, {
        // Not waiting for its page: VS Code shows the panel only once this returns. Once the page is
        // up it is told the runtime, as a panel opened by the command is (its footer says where tests run).
        deserializeWebviewPanel: async (panel) => void this.practice.restore(panel, this.runtimeSetting()).then(() => this.configurePanel()),
      }),
    );
    this.follow(vscode.window.activeTextEditor);
  }

  // -- wiring ------------------------------------------------------------------

  private onCreated(client: LanguageClient): void {
    client.onRequest("pytrix/runTests", async (raw: unknown, token: vscode.CancellationToken) => {
      let params;
      try {
        params = parseRunTestsParams(raw);
      } catch (error) {
        if (error instanceof InvalidParams) throw new ResponseError(INVALID_PARAMS, error.message);
        throw error;
      }
      this.status.setRunning(true);
      try {
        return toWireResult(await this.practice.runTests(params, token));
      } catch (error) {
        this.server.output.appendLine(`[pyodide] could not run the tests: ${errorText(error)}; the server falls back to its sandbox`);
        throw new ResponseError(-32000, `Pyodide could not run the tests: ${errorText(error)}`);
      } finally {
        this.status.setRunning(false);
      }
    });
  }

  private async afterStart(): Promise<void> {
    const key = await this.context.secrets.get(SECRET_KEY);
    if (key) await this.sendApiKey(key, false);
    await this.refreshStreak();
    this.configurePanel();
  }

  private runtimeSetting(): "pyodide" | "subprocess" {
    return vscode.workspace.getConfiguration("pytrix").get<string>("runtime") === "pyodide" ? "pyodide" : "subprocess";
  }

  private configurePanel(): void {
    if (this.practice.isOpen) this.practice.post({ type: "configure", runtime: this.runtimeSetting() });
  }

  /** Track the practice file in front (the last one stays the target when another editor takes focus). */
  /** The practice panel was opened ahead of the first Pyodide run this session. */
  private prewarmed = false;

  private follow(editor: vscode.TextEditor | undefined): void {
    if (!editor || editor.document.uri.scheme === SCHEME) return;
    const document = editor.document;
    const head = document.getText(new vscode.Range(0, 0, Math.min(HEADER_SCAN_LINES, document.lineCount), 0));
    const questionId = document.languageId === "python" ? questionIdOf(head) : null;
    void vscode.commands.executeCommand("setContext", "pytrix.isPracticeFile", questionId !== null);
    if (questionId === null) {
      if (editor.document.languageId === "python" && this.target?.uri.toString() === editor.document.uri.toString()) {
        this.target = undefined;
        this.status.setTarget(null, null);
      }
      return;
    }
    const changed = this.target?.questionId !== questionId || this.target.uri.toString() !== editor.document.uri.toString();
    this.target = { uri: editor.document.uri, questionId };
    this.status.setTarget(editor.document.uri.toString(), questionId);
    if (changed) void this.practice.showQuestion();
    if (!this.prewarmed && this.runtimeSetting() === "pyodide") {
      // The server's first run will need the panel's Pyodide: start it now, beside the editor.
      this.prewarmed = true;
      if (!this.practice.isOpen) {
        // With no panel of ours open, a practice tab is one VS Code restored with the window. In
        // front of its group it is taken up at once (restore()); behind another tab it would wait
        // to be shown, so it is closed and a new one opened.
        const restoring = PracticePanel.restoredTab();
        if (restoring && !restoring.isActive) void vscode.window.tabGroups.close(restoring, true);
        if (!restoring?.isActive) void this.practice.open(true, "pyodide");
      }
    }
  }

  private async client(): Promise<LanguageClient> {
    const client = await this.server.ensure();
    if (!client) {
      if (this.server.lastFailure) throw new ServerUnavailable(this.server.lastFailure);
      throw new Error("The Pytrix language server is not running (see 'Pytrix: Show the Server Log').");
    }
    return client;
  }

  private async questionMarkdown(questionId: string): Promise<string> {
    const client = await this.client();
    const answer = await client.sendRequest<QuestionDocument>("pytrix/questionDocument", { questionId });
    if (typeof answer?.markdown !== "string") throw new Error("the server sent no markdown");
    return answer.markdown;
  }

  /** `workspace/executeCommand` on the server, refusing politely when the server lacks the command. */
  async serverCommand<T>(command: string, args: unknown[], token?: vscode.CancellationToken): Promise<T> {
    const client = await this.client();
    const offered = client.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
    if (!offered.includes(command)) {
      throw new Error(`This Pytrix server does not offer '${command}' yet; update it (pipx upgrade pytrix-practice), or set 'pytrix.server.importStrategy' to 'useBundled'.`);
    }
    return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args }, token)) as T;
  }

  private async requireTarget(): Promise<PracticeTarget> {
    const editor = vscode.window.activeTextEditor;
    if (editor) this.follow(editor);
    if (!this.target) {
      throw new Error("Open a practice file first (its first line is '# pytrix: question=…'), or run 'Pytrix: New Question…'.");
    }
    // The server works on open documents: make sure this one is open.
    await vscode.workspace.openTextDocument(this.target.uri);
    return this.target;
  }

  // -- commands ------------------------------------------------------------------

  private registerCommands(): void {
    const register = (name: string, handler: () => Promise<unknown>) =>
      this.disposables.push(
        vscode.commands.registerCommand(`pytrix.ui.${name}`, async () => {
          try {
            return await handler();
          } catch (error) {
            this.report(error);
            return undefined;
          }
        }),
      );
    register("newQuestion", () => this.newQuestion());
    register("next", () => this.next());
    register("runTests", async () => this.act("run", await this.requireTarget()));
    register("stop", async () => this.stop());
    register("hint", async () => this.act("hint", await this.requireTarget()));
    register("reveal", async () => this.act("reveal", await this.requireTarget()));
    register("submit", async () => this.act("submit", await this.requireTarget()));
    register("evaluate", async () => this.review("pytrix.evaluate", "Evaluation", await this.requireTarget()));
    register("optimize", async () => this.review("pytrix.optimize", "Optimisation", await this.requireTarget()));
    register("showQuestion", async () => showQuestionBeside((await this.requireTarget()).questionId));
    register("openPractice", async () => {
      await this.practice.open();
      this.configurePanel();
      await this.practice.showQuestion(true);
    });
    register("dashboard", async () => {
      this.dashboard.open();
      await this.dashboard.refresh();
    });
    register("dashboardMarkdown", async () => {
      const uri = vscode.Uri.parse(DASHBOARD_URI);
      this.documents.refreshAll();
      await vscode.commands.executeCommand("markdown.showPreview", uri);
    });
    register("setApiKey", () => this.setApiKey());
    register("clearApiKey", () => this.clearApiKey());
    register("testConnection", () => this.testConnection());
    register("usage", async () => {
      this.documents.refreshAll();
      await vscode.commands.executeCommand("markdown.showPreview", vscode.Uri.parse(USAGE_URI));
    });
    register("resetProgress", () => this.resetProgress());
    register("restart", async () => {
      const client = await this.server.restart();
      if (client) void vscode.window.showInformationMessage("Pytrix: the language server restarted.");
    });
    register("showLog", async () => this.server.output.show());
  }

  private report(error: unknown): void {
    if (error instanceof Cancelled || error instanceof ServerUnavailable) return;
    if (error instanceof ResponseError && error.code === INVALID_PARAMS) {
      // The server has already shown this message to the learner.
      this.server.output.appendLine(`[client] ${error.message}`);
      return;
    }
    if (error instanceof ResponseError && error.code === METHOD_NOT_FOUND) {
      void vscode.window.showErrorMessage(`This Pytrix server does not support that yet (${error.message}); update it (pipx upgrade pytrix-practice), or use the bundled server.`);
      return;
    }
    void vscode.window.showErrorMessage(`Pytrix: ${errorText(error)}`);
  }

  private async pick<T>(items: PickItem<T>[], title: string, step: number, steps = 4): Promise<T> {
    const chosen = await vscode.window.showQuickPick(
      items.map((item) => ({ label: item.label, description: item.description, detail: item.detail, value: item.value })),
      { title: `Pytrix: New Question (${step}/${steps}) ${title}`, placeHolder: title, matchOnDescription: true, matchOnDetail: true, ignoreFocusOut: true },
    );
    if (!chosen) throw new Cancelled();
    return chosen.value;
  }

  private async curriculum(): Promise<CurriculumTree> {
    const client = await this.client();
    return parseCurriculum(await client.sendRequest<CurriculumReport>("pytrix/curriculum", {}));
  }

  async newQuestion(): Promise<unknown> {
    const tree = await this.curriculum();
    const modules = moduleItems(tree);
    if (modules.length === 0) throw new Error("The question bank is empty: no module has a question yet.");
    const steps = (await this.canGenerate()) ? 5 : 4;
    const module = await this.pick(modules, "Choose a module", 1, steps);
    const subtopic = await this.pick(subtopicItems(module), "Choose a subtopic", 2, steps);
    const problemType = await this.pick(problemTypeItems(subtopic), "Choose a problem type", 3, steps);
    const difficulty = await this.pick(difficultyItems(problemType), "Choose a difficulty", 4, steps);
    const source: QuestionSource = steps === 5 ? await this.pick(sourceItems(problemType, difficulty), "Bank or AI", 5, steps) : "bank";
    return this.requestQuestion(newQuestionParams(module, problemType, difficulty, source));
  }

  async next(): Promise<unknown> {
    return this.made(await this.serverCommand<NewQuestionReport>("pytrix.next", []), false);
  }

  /** Whether the server holds a Gemini key (the editor's or its environment's) with the AI on. */
  private async canGenerate(): Promise<boolean> {
    try {
      const client = await this.client();
      return canGenerate((await client.sendRequest<UsageReport>("pytrix/usage", { days: 1 })).key);
    } catch {
      return false; // an older server without AI features: the bank only
    }
  }

  /** `pytrix/newQuestion` with these params (an AI question is written and verified first, with progress). */
  private async requestQuestion(params: Record<string, unknown>): Promise<NewQuestionReport> {
    const client = await this.client();
    const ask = () => client.sendRequest<NewQuestionReport>("pytrix/newQuestion", params);
    const askedForAi = params.source === "ai";
    const result = askedForAi
      ? await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: "Pytrix: writing and verifying a question…" }, ask)
      : await ask();
    return this.made(result, askedForAi);
  }

  /** A practice file was made: open it, then show the server's notice (with its Generate with AI button). */
  private async made(info: NewQuestionReport | null, askedForAi: boolean): Promise<NewQuestionReport> {
    const opened = await this.opened(info);
    const notice = noticeOf(opened, askedForAi);
    if (notice) {
      const show = notice.warning ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
      void show(`Pytrix: ${notice.text}`, ...(notice.action ? [notice.action.label] : [])).then(async (pick) => {
        if (!notice.action || pick !== notice.action.label) return;
        try {
          await this.requestQuestion(notice.action.params);
        } catch (error) {
          this.report(error);
        }
      });
    }
    return opened;
  }

  /** After the server created a practice file: make sure it is in front, and show its question beside it. */
  private async opened(info: NewQuestionReport | null): Promise<NewQuestionReport> {
    if (!info || typeof info.uri !== "string" || typeof info.questionId !== "string") {
      throw new Error("The server did not say which practice file it created.");
    }
    const uri = vscode.Uri.parse(info.uri);
    const editor = await vscode.window.showTextDocument(uri, { preview: false, viewColumn: vscode.ViewColumn.One });
    this.follow(editor);
    await showQuestionBeside(info.questionId);
    await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, preserveFocus: false });
    if (this.practice.isOpen) await this.practice.showQuestion(true);
    return info;
  }

  private stop(): void {
    this.running?.cancel();
    this.practice.stop();
  }

  /** A practice action (palette or panel button) on `target`. */
  async act(action: PracticeAction, target: PracticeTarget): Promise<void> {
    const uri = target.uri.toString();
    if (action === "stop") {
      this.stop();
      return;
    }
    if (action === "showQuestion") {
      await showQuestionBeside(target.questionId);
      return;
    }
    this.practice.busy(action);
    try {
      if (action === "run" || action === "submit") {
        this.running?.cancel();
        const source = new vscode.CancellationTokenSource();
        this.running = source;
        this.status.setRunning(true);
        let raw: RunReport | Submission | null = null;
        try {
          raw = await this.serverCommand<RunReport | Submission>(action === "run" ? "pytrix.runTests" : "pytrix.submit", [uri], source.token);
        } catch (error) {
          // Stop cancels the request: that is the learner's choice, not an error to show.
          if (!source.token.isCancellationRequested) throw error;
        } finally {
          this.status.setRunning(false);
          if (this.running === source) this.running = undefined;
          source.dispose();
        }
        if (source.token.isCancellationRequested) {
          this.practice.output("Stopped.");
          return;
        }
        const summary = summariseRun(raw);
        if (raw && summary) this.showRun(uri, raw, summary, action === "run" ? "Tests" : "Submission");
        if (action === "submit") {
          await this.refreshStreak();
          if (this.dashboard.isOpen) void this.dashboard.refresh();
        }
      } else if (action === "hint") {
        const hint = await this.serverCommand<HintReport | null>("pytrix.hint", [uri]);
        if (hint && typeof hint.text === "string") {
          // A toast cuts a hint to one line: the panel shows it in full, the toast points there.
          await this.practice.open(true);
          this.practice.output(`Hint ${hint.level}/${hint.total}: ${hint.text}`);
          const last = hint.exhausted ? " (the last one)" : "";
          void vscode.window.showInformationMessage(`Pytrix: hint ${hint.level}/${hint.total}${last} is in the practice panel.`);
        }
        this.documents.refreshAll();
        await this.practice.showQuestion(true);
      } else if (action === "reveal") {
        const outcome = await this.serverCommand<RevealReport | null>("pytrix.reveal", [uri]);
        if (outcome?.message) this.practice.output(outcome.message);
      }
    } catch (error) {
      this.practice.output(errorText(error), "error");
      throw error;
    } finally {
      this.practice.busy(null);
    }
  }

  /** Show the server's latest run of `uri` in the panel (no new run). */
  private async followRun(uri: vscode.Uri): Promise<void> {
    const client = this.server.current;
    if (!client) return;
    try {
      const last = await client.sendRequest<LastRun>("pytrix/lastResult", { uri: uri.toString() });
      this.status.setCount(uri.toString(), runCount(last.result));
      const summary = this.practice.isOpen ? summariseRun(last.result) : null;
      if (summary) this.practice.showResults(summary, "Tests");
    } catch (error) {
      this.server.output.appendLine(`[client] could not follow the latest run: ${errorText(error)}`);
    }
  }

  private showRun(uri: string, run: RunReport, summary: RunSummary, label: string): void {
    this.status.setCount(uri, runCount(run));
    this.practice.showResults(summary, label);
  }

  private async review(command: string, title: string, target: PracticeTarget): Promise<void> {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Pytrix: ${title.toLowerCase()} of ${target.questionId}…` },
      () => this.serverCommand<ReviewReport | OptimizeReport | null>(command, [target.uri.toString()]),
    );
    const text = reviewMarkdown(title, target.questionId, result);
    if (text === null) return; // the server showed its own message
    const uri = this.documents.setNote(`${command.replace("pytrix.", "")}-${++this.noteCount}`, text);
    await vscode.commands.executeCommand("markdown.showPreviewToSide", uri);
  }

  private async refreshStreak(): Promise<void> {
    const client = this.server.current;
    if (!client) return;
    try {
      this.status.setStreak(streakOf(await client.sendRequest<StatsReport>("pytrix/stats", {})));
    } catch {
      // stats are a nicety here
    }
  }

  private async sendApiKey(key: string | null, announce: boolean): Promise<boolean> {
    const client = await this.client();
    try {
      await client.sendRequest("pytrix/setApiKey", { apiKey: key });
      if (announce) {
        void vscode.window.showInformationMessage(key ? "Pytrix: API key saved in VS Code's secret storage and given to the server." : "Pytrix: API key cleared.");
      }
      return true;
    } catch (error) {
      if (error instanceof ResponseError && error.code === METHOD_NOT_FOUND) {
        if (announce) void vscode.window.showWarningMessage("Pytrix: the key is stored, but this server version has no AI features yet (no pytrix/setApiKey).");
        return false;
      }
      if (announce) void vscode.window.showErrorMessage(`Pytrix: the server refused the key: ${errorText(error)}`);
      return false;
    }
  }

  private async setApiKey(): Promise<void> {
    const key = await vscode.window.showInputBox({
      title: "Pytrix: Gemini API key",
      prompt: "Stored in VS Code's secret storage and passed to the Pytrix server's memory only.",
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim().length < 10 ? "That does not look like an API key." : /\s/.test(value.trim()) ? "An API key has no spaces." : undefined),
    });
    if (!key) return;
    await this.context.secrets.store(SECRET_KEY, key.trim());
    await this.sendApiKey(key.trim(), true);
  }

  private async clearApiKey(): Promise<void> {
    await this.context.secrets.delete(SECRET_KEY);
    await this.sendApiKey(null, true);
  }

  private async testConnection(): Promise<void> {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: "Pytrix: testing the AI connection…" },
      () => this.serverCommand<ConnectionReport>("pytrix.testConnection", []),
    );
    const r = result;
    const message = r.message;
    if (r.ok) {
      void vscode.window.showInformationMessage(`Pytrix: ${message}`);
      return;
    }
    // The server leaves this outcome to the extension (one toast), which adds the button that fixes it.
    const fix = r.kind === "api_key_required" || r.kind === "invalid_key" ? ["Set Gemini API Key"] : [];
    void vscode.window.showWarningMessage(`Pytrix: ${message}`, ...fix).then((pick) => {
      if (pick === "Set Gemini API Key") void vscode.commands.executeCommand("pytrix.ui.setApiKey");
    });
  }

  private async resetProgress(): Promise<void> {
    const scope = await vscode.window.showQuickPick(
      [
        { label: "One question", value: "question" },
        { label: "One module", value: "module" },
        { label: "Everything", value: "all" },
      ],
      { title: "Pytrix: reset progress — what?", ignoreFocusOut: true },
    );
    if (!scope) return;
    let id: string | undefined;
    let what = "all your Pytrix progress";
    if (scope.value !== "all") {
      const tree = await this.curriculum();
      if (scope.value === "module") {
        const module = await this.pick(moduleItems(tree), "Module to reset", 1).catch(() => undefined);
        if (!module) return;
        id = module.id;
        what = `your progress in ${module.name}`;
      } else {
        const items = tree.modules.flatMap((m) =>
          m.subtopics.flatMap((s) =>
            s.problemTypes.flatMap((p) =>
              Object.values(p.questions).flatMap((ids) => (ids ?? []).map((qid) => ({ label: qid, description: `${m.name} › ${p.name}` }))),
            ),
          ),
        );
        const current = this.target?.questionId;
        items.sort((a, b) => (a.label === current ? -1 : b.label === current ? 1 : 0));
        const chosen = await vscode.window.showQuickPick(items, { title: "Pytrix: question to reset", matchOnDescription: true, ignoreFocusOut: true });
        if (!chosen) return;
        id = chosen.label;
        what = `your progress on ${chosen.label}`;
      }
    }
    const confirm = "Reset";
    const answer = await vscode.window.showWarningMessage(
      `Reset ${what}? Attempts, hints and review schedule are deleted; this cannot be undone.`,
      { modal: true },
      confirm,
    );
    if (answer !== confirm) return;
    const args: Record<string, unknown> = { scope: scope.value, confirm: true };
    if (id) args.id = id;
    const result = await this.serverCommand<ResetReport>("pytrix.reset", [args]);
    const removed = `${result.attemptsRemoved} attempt${result.attemptsRemoved === 1 ? "" : "s"} removed`;
    void vscode.window.showInformationMessage(`Pytrix: reset ${what} (${removed}).`);
    await this.refreshStreak();
    this.documents.refreshAll();
    if (this.dashboard.isOpen) void this.dashboard.refresh();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
