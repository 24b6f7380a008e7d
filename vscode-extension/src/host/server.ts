/**
 * The language client: finds a Python, checks it (>= 3.11, pytrix importable,
 * offering to install it), launches `python -m pytrix serve` over stdio and
 * keeps the "Pytrix" output channel (the client's messages plus the tail of
 * the server's own log file).
 */

import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as vscode from "vscode";
import {
  LanguageClient,
  type LanguageClientOptions,
  type Middleware,
  type ServerOptions,
  State,
} from "vscode-languageclient/node";
import {
  chooseInterpreter,
  installArgs,
  installTarget,
  judgeProbe,
  PROBE_SCRIPT,
  type InterpreterChoice,
  type ProbeResult,
} from "../lib/interpreter";
import { SCHEME } from "../lib/practice";
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

function probe(command: string): Promise<{ error?: string; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, ["-c", PROBE_SCRIPT], { timeout: 20_000, windowsHide: true }, (error, stdout, stderr) => {
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
  python: ProbeResult | undefined;

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

  private async choose(): Promise<InterpreterChoice> {
    const setting = vscode.workspace.getConfiguration("pytrix").get<string>("server.python");
    const fromExtension = setting?.trim() ? undefined : await pythonExtensionInterpreter();
    return chooseInterpreter(setting, fromExtension, process.platform);
  }

  private async start(): Promise<LanguageClient | undefined> {
    const choice = await this.choose();
    this.output.appendLine(`[client] Python: ${choice.command} (from ${choice.source})`);
    const verdict = judgeProbe(choice.command, await probe(choice.command));
    if (!verdict.ok) {
      this.output.appendLine(`[client] ${verdict.message}`);
      if (verdict.reason === "no-pytrix") {
        const installed = await this.offerInstall(verdict.probe?.executable ?? choice.command, verdict.message);
        if (installed) return this.start();
      } else {
        const open = "Open Settings";
        void vscode.window.showErrorMessage(verdict.message, open).then((pick) => {
          if (pick === open) void vscode.commands.executeCommand("workbench.action.openSettings", "pytrix.server.python");
        });
      }
      return undefined;
    }
    this.python = verdict.probe;
    this.output.appendLine(
      `[client] ${verdict.probe.executable}: Python ${verdict.probe.version.join(".")}, pytrix ${verdict.probe.pytrix}`,
    );
    const serverOptions: ServerOptions = {
      command: verdict.probe.executable || choice.command,
      args: ["-m", "pytrix", "serve"],
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
      initializationOptions: { runtimes: ["pyodide"], settings: plainSettings(config) },
      synchronize: { configurationSection: "pytrix" },
      middleware: this.hooks.middleware,
      markdown: { isTrusted: false },
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
      return undefined;
    }
    if (verdict.probe.logPath) this.tailLog(verdict.probe.logPath);
    this.hooks.onStarted(client);
    this.changed.fire(client);
    return client;
  }

  private async offerInstall(python: string, message: string): Promise<boolean> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const projects = folders.map((folder) => {
      let pyproject: string | undefined;
      try {
        pyproject = fs.readFileSync(vscode.Uri.joinPath(folder.uri, "pyproject.toml").fsPath, "utf8");
      } catch {
        pyproject = undefined;
      }
      return { folder: folder.uri.fsPath, pyproject };
    });
    const target = installTarget(projects);
    const install = `Install (pip install ${target})`;
    const choose = "Choose Python";
    const pick = await vscode.window.showWarningMessage(message, install, choose);
    if (pick === choose) {
      await vscode.commands.executeCommand("workbench.action.openSettings", "pytrix.server.python");
      return false;
    }
    if (pick !== install) return false;
    this.output.show(true);
    const args = installArgs(target);
    this.output.appendLine(`[client] ${python} ${args.join(" ")}`);
    const code = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Installing Pytrix into ${python}…` },
      () =>
        new Promise<number | null>((resolve) => {
          const proc = spawn(python, args, { windowsHide: true });
          proc.stdout.on("data", (chunk: Buffer) => this.output.append(chunk.toString()));
          proc.stderr.on("data", (chunk: Buffer) => this.output.append(chunk.toString()));
          proc.on("error", (error) => {
            this.output.appendLine(String(error));
            resolve(null);
          });
          proc.on("close", resolve);
        }),
    );
    if (code !== 0) {
      void vscode.window.showErrorMessage(`Installing Pytrix failed (exit ${code}); see the 'Pytrix' output.`);
      return false;
    }
    return true;
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
  }
}

/** The `pytrix` section as plain JSON (dropping the client-only keys). */
export function plainSettings(config: vscode.WorkspaceConfiguration): Record<string, unknown> {
  const keys = [
    "runOnChange", "debounceMs", "runOnSave", "revealAfterFailures", "testTimeout", "runTimeout",
    "memoryMb", "runtime", "practiceDir", "poolSize", "coaching", "coachingDisabledRules",
  ];
  const settings: Record<string, unknown> = {};
  for (const key of keys) {
    const value = config.get(key);
    if (value !== undefined) settings[key] = value;
  }
  return settings;
}

export { SCHEME };
