/**
 * The language client: finds a Python >= 3.11, starts the server bundled in
 * the .vsix with it (`python -I bundled/tool/pytrix_launch.py serve`; or the
 * interpreter's own `python -m pytrix serve` with importStrategy
 * `fromEnvironment`) over stdio, checks that the server's version matches the
 * extension's, and keeps the "Pytrix" output channel (the client's messages
 * plus the tail of the server's own log file). Nothing here waits on a
 * notification: messages are shown and start-up goes on.
 */

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as vscode from "vscode";
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  type LanguageClientOptions,
  type Middleware,
  type ServerOptions,
  State,
} from "vscode-languageclient/node";
import {
  adviceFor,
  CRASH_LOOP_MESSAGE,
  shouldRestart,
  firstUsable,
  interpreterCandidates,
  judgeProbe,
  launchPlan,
  PYTHON_DOWNLOAD_URL,
  versionMismatch,
  type FailureAdvice,
  type ImportStrategy,
  type InterpreterChoice,
  type ProbeResult,
  type Verdict,
} from "../lib/interpreter";
import { SCHEME } from "../lib/practice";
import { pickSettings, serverSettingKeys } from "../lib/settings";
import type { ServerState } from "../lib/status";
import { isTrafficLine } from "../lib/review";

export interface ServerHooks {
  middleware: Middleware;
  /** Called with each new client before it starts (register request handlers here). */
  onCreated(client: LanguageClient): void;
  /** Called after every (re)start with the running client. */
  onStarted(client: LanguageClient): void;
}

interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
    resolveEnvironment?(env: { path: string }): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
  };
  settings?: { getExecutionDetails?(resource?: vscode.Uri): { execCommand?: string[] } };
}

/** The Python extension's active interpreter, if that extension is installed. */
async function pythonExtensionInterpreter(): Promise<string | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>("ms-python.python");
  if (!extension) return undefined;
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    const resource = vscode.workspace.workspaceFolders?.[0]?.uri;
    const active = api?.environments?.getActiveEnvironmentPath(resource);
    if (active && api.environments?.resolveEnvironment) {
      const resolved = await api.environments.resolveEnvironment(active);
      const path = resolved?.executable?.uri?.fsPath;
      if (path) return path;
    }
    if (active?.path) return active.path;
    const exec = api?.settings?.getExecutionDetails?.(resource)?.execCommand;
    return exec?.[0];
  } catch {
    return undefined;
  }
}

function probe(command: string, args: string[]): Promise<{ error?: string; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 20_000, windowsHide: true }, (error, stdout, stderr) => {
      const spawnFailed = error && (error as NodeJS.ErrnoException).code === "ENOENT";
      resolve({
        error: spawnFailed ? "not found" : undefined,
        code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
        stdout: String(stdout),
        stderr: String(stderr),
      });
    });
  });
}

export class ServerManager implements vscode.Disposable {
  readonly output = vscode.window.createOutputChannel("Pytrix");
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient | undefined> | undefined;
  private logWatcher: { close(): void } | undefined;
  private readonly changed = new vscode.EventEmitter<LanguageClient | undefined>();
  readonly onDidChangeClient = this.changed.event;
  private readonly stateChanged = new vscode.EventEmitter<ServerState>();
  /** starting -> running, or failed (with the reason), or stopped after a crash loop. */
  readonly onDidChangeState = this.stateChanged.event;
  private readonly exits: number[] = [];
  python: ProbeResult | undefined;
  /** When this extension host activated Pytrix: first diagnostics are timed from here. */
  private readonly activatedAt = Date.now();
  private firstDiagnosticsLogged = false;
  /** Why the server last failed to start (shown by commands run meanwhile). */
  lastFailure: string | undefined;

  constructor(private readonly context: vscode.ExtensionContext, private readonly hooks: ServerHooks) {}

  get current(): LanguageClient | undefined {
    return this.client?.state === State.Running ? this.client : undefined;
  }

  /** The running client, starting it when needed; `undefined` when the server cannot start. */
  async ensure(): Promise<LanguageClient | undefined> {
    if (this.current) return this.current;
    if (!this.starting) {
      this.starting = this.start().finally(() => {
        this.starting = undefined;
      });
    }
    return this.starting;
  }

  async restart(): Promise<LanguageClient | undefined> {
    await this.stop();
    return this.ensure();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.logWatcher?.close();
    this.logWatcher = undefined;
    if (client) {
      try {
        await client.stop(5000);
      } catch (error) {
        this.output.appendLine(`[client] stopping the server: ${String(error)}`);
      }
      this.changed.fire(undefined);
    }
  }

  private async candidates(): Promise<InterpreterChoice[]> {
    const setting = vscode.workspace.getConfiguration("pytrix").get<string>("server.python");
    const fromExtension = setting?.trim() ? undefined : await pythonExtensionInterpreter();
    return interpreterCandidates(setting, fromExtension, process.platform);
  }

  /** The launcher of the server bundled in this .vsix, if this build has one. */
  private bundledLauncher(): string | undefined {
    const launcher = vscode.Uri.joinPath(this.context.extensionUri, "bundled", "tool", "pytrix_launch.py").fsPath;
    const manifest = vscode.Uri.joinPath(this.context.extensionUri, "bundled", "libs", "manifest.json").fsPath;
    return fs.existsSync(launcher) && fs.existsSync(manifest) ? launcher : undefined;
  }

  private get extensionVersion(): string {
    return String((this.context.extension.packageJSON as { version?: unknown }).version ?? "");
  }

  private async start(): Promise<LanguageClient | undefined> {
    this.stateChanged.fire({ state: "starting" });
    const strategy = vscode.workspace.getConfiguration("pytrix").get<ImportStrategy>("server.importStrategy") ?? "useBundled";
    const bundled = this.bundledLauncher();
    const plan = launchPlan(strategy, bundled);
    if (strategy === "useBundled" && !bundled) {
      this.output.appendLine("[client] this build of the extension has no bundled server: using the interpreter's own pytrix");
    }
    const tried: { choice: InterpreterChoice; verdict: Verdict }[] = [];
    for (const choice of await this.candidates()) {
      const verdict = judgeProbe(choice.command, await probe(choice.command, plan.probeArgs));
      this.output.appendLine(`[client] Python: ${choice.command} (from ${choice.source}): ${verdict.ok ? "usable" : verdict.message}`);
      tried.push({ choice, verdict });
      if (verdict.ok) break;
    }
    const picked = firstUsable(tried);
    if ("failures" in picked) {
      this.failed(adviceFor(picked.failures, strategy));
      return undefined;
    }
    const { choice, verdict } = picked;
    this.python = verdict.probe;
    this.lastFailure = undefined;
    this.output.appendLine(
      `[client] ${verdict.probe.executable}: Python ${verdict.probe.version.join(".")}, pytrix ${verdict.probe.pytrix} (${plan.kind === "bundled" ? "bundled with the extension" : "from the environment"})`,
    );
    const serverOptions: ServerOptions = {
      command: verdict.probe.executable || choice.command,
      args: plan.serveArgs,
      options: { env: { ...process.env, PYTHONUNBUFFERED: "1" } },
    };
    const config = vscode.workspace.getConfiguration("pytrix");
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: "file", language: "python" },
        { scheme: "untitled", language: "python" },
      ],
      outputChannel: this.output,
      traceOutputChannel: this.output,
      initializationOptions: {
        runtimes: ["pyodide"],
        settings: plainSettings(config, this.context.extension.packageJSON),
        extensionVersion: this.extensionVersion,
      },
      synchronize: { configurationSection: "pytrix" },
      middleware: {
        ...this.hooks.middleware,
        handleDiagnostics: (uri, diagnostics, next) => {
          if (!this.firstDiagnosticsLogged && diagnostics.length > 0) {
            this.firstDiagnosticsLogged = true;
            this.output.appendLine(`[client] first diagnostics ${Date.now() - this.activatedAt} ms after activation`);
          }
          const inner = this.hooks.middleware.handleDiagnostics;
          if (inner) inner(uri, diagnostics, next);
          else next(uri, diagnostics);
        },
      },
      markdown: { isTrusted: false },
      errorHandler: {
        error: () => ({ action: ErrorAction.Continue }),
        closed: () => {
          this.exits.push(Date.now());
          if (shouldRestart(this.exits, Date.now())) {
            this.output.appendLine("[client] the server exited; restarting it");
            return { action: CloseAction.Restart, handled: true };
          }
          this.crashLoop();
          return { action: CloseAction.DoNotRestart, handled: true };
        },
      },
    };
    const client = new LanguageClient("pytrix", "Pytrix", serverOptions, clientOptions);
    this.client = client;
    this.hooks.onCreated(client);
    try {
      await client.start();
    } catch (error) {
      this.output.appendLine(`[client] the server failed to start: ${String(error)}`);
      void vscode.window.showErrorMessage(`The Pytrix server failed to start: ${String(error)}. See the 'Pytrix' output.`);
      this.client = undefined;
      this.stateChanged.fire({ state: "failed", detail: String(error) });
      return undefined;
    }
    if (verdict.probe.logPath) this.tailLog(verdict.probe.logPath);
    const serverVersion = client.initializeResult?.serverInfo?.version;
    this.output.appendLine(`[client] server ${serverVersion ?? "?"}, extension ${this.extensionVersion}`);
    const mismatch = versionMismatch(this.extensionVersion, serverVersion, plan.kind);
    if (mismatch) {
      this.output.appendLine(`[client] ${mismatch}`);
      void vscode.window.showWarningMessage(mismatch, "Choose Python").then((pick) => {
        if (pick === "Choose Python") void vscode.commands.executeCommand("workbench.action.openSettings", "pytrix.server");
      });
    }
    this.stateChanged.fire({ state: "running", detail: `Python ${verdict.probe.version.join(".")}, pytrix ${serverVersion ?? "?"}` });
    this.hooks.onStarted(client);
    this.changed.fire(client);
    return client;
  }

  /** One message after a crash loop, with the log and the interpreter choice. */
  private crashLoop(): void {
    this.failed({ message: CRASH_LOOP_MESSAGE, actions: ["Show Log", "Choose Python"] }, "stopped");
  }

  /** Say why the server cannot start, with the buttons that fix it; never waits for an answer. */
  private failed(advice: FailureAdvice, state: "failed" | "stopped" = "failed"): void {
    this.output.appendLine(`[client] ${advice.message}`);
    this.lastFailure = advice.message;
    this.stateChanged.fire({ state, detail: advice.message });
    void vscode.window.showErrorMessage(advice.message, ...advice.actions).then((pick) => {
      if (pick === "Install Python") void vscode.env.openExternal(vscode.Uri.parse(PYTHON_DOWNLOAD_URL));
      else if (pick === "Choose Python") void vscode.commands.executeCommand("workbench.action.openSettings", "pytrix.server.python");
      else if (pick === "Use Bundled Server") {
        void vscode.workspace.getConfiguration("pytrix").update("server.importStrategy", "useBundled", vscode.ConfigurationTarget.Global);
      } else if (pick === "Show Log") this.output.show(true);
    });
  }

  /**
   * Copy what the server appends to its log file into the output channel,
   * leaving out the JSON-RPC traffic (turn on pytrix.trace.server for that).
   */
  private tailLog(path: string): void {
    this.logWatcher?.close();
    let position = 0;
    let partial = "";
    try {
      position = fs.statSync(path).size;
    } catch {
      position = 0;
    }
    const read = (): void => {
      fs.stat(path, (error, stat) => {
        if (error) return;
        if (stat.size < position) position = 0;
        if (stat.size === position) return;
        const stream = fs.createReadStream(path, { start: position, end: stat.size - 1, encoding: "utf8" });
        position = stat.size;
        stream.on("data", (chunk) => {
          const lines = (partial + String(chunk)).split("\n");
          partial = lines.pop() ?? "";
          for (const line of lines) {
            if (!isTrafficLine(line)) this.output.appendLine(`[server] ${line}`);
          }
        });
      });
    };
    const timer = setInterval(read, 1000);
    this.logWatcher = { close: () => clearInterval(timer) };
    this.output.appendLine(`[client] following the server log ${path}`);
  }

  dispose(): void {
    void this.stop();
    this.output.dispose();
    this.changed.dispose();
    this.stateChanged.dispose();
  }
}

/** The `pytrix` section as plain JSON: every server setting the extension declares. */
export function plainSettings(config: vscode.WorkspaceConfiguration, packageJson: unknown): Record<string, unknown> {
  return pickSettings((key) => config.get(key), serverSettingKeys(packageJson));
}

export { SCHEME };
