/**
 * The dashboard webview (host side): gathers `pytrix/stats` and `pytrix/usage`
 * and sends the normalised data to the webview, which draws the charts.
 */

import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import type { StatsReport, UsageReport } from "../generated/protocol";
import { buildDashboard } from "../lib/dashboard";
import { makeNonce, webviewShell } from "../lib/html";
import { parseFromDashboard, type ToDashboard } from "../lib/messages";
import { errorText } from "./documents";
import type { ServerManager } from "./server";

export class DashboardPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly followServer: vscode.Disposable;

  constructor(private readonly extensionUri: vscode.Uri, private readonly server: ServerManager) {
    // Opened before the server was up (or while it restarted): draw once it is running.
    this.followServer = server.onDidChangeClient((client) => {
      if (client) void this.refresh();
    });
  }

  open(): void {
    if (this.panel) {
      this.panel.reveal();
      void this.refresh();
      return;
    }
    const panel = vscode.window.createWebviewPanel("pytrix.dashboard", "Pytrix Dashboard", vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, "out"), vscode.Uri.joinPath(this.extensionUri, "media")],
    });
    this.panel = panel;
    const webview = panel.webview;
    const asUri = (...parts: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...parts)).toString();
    webview.html = webviewShell({
      cspSource: webview.cspSource,
      nonce: makeNonce((n) => randomBytes(n)),
      title: "Pytrix Dashboard",
      scriptUri: asUri("out", "webview", "dashboard.js"),
      styleUri: asUri("media", "dashboard.css"),
      body: `<header><h1>Pytrix dashboard</h1><button id="refresh">Refresh</button></header>
<div id="stamp" class="stamp"></div>
<section id="headline" class="headline"></section>
<h2>Mastery per module</h2><div id="mastery"></div>
<h2>Activity <span class="legend"><span class="a"></span>attempts<span class="s"></span>solved</span></h2><div id="activity"></div>
<h2>AI usage per model</h2><div id="usage"></div>`,
    });
    webview.onDidReceiveMessage((data) => {
      const message = parseFromDashboard(data);
      if (message) void this.refresh();
    });
    panel.onDidDispose(() => {
      this.panel = undefined;
    });
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  async refresh(): Promise<void> {
    if (!this.panel) return;
    const post = (message: ToDashboard) => void this.panel?.webview.postMessage(message);
    const client = await this.server.ensure();
    if (!client) {
      post({
        type: "error",
        message: `The Pytrix server is not running${this.server.lastFailure ? `: ${this.server.lastFailure}` : ""}. The dashboard fills in as soon as it starts.`,
      });
      return;
    }
    let stats: StatsReport;
    try {
      stats = await client.sendRequest<StatsReport>("pytrix/stats", {});
    } catch (error) {
      post({ type: "error", message: `The server could not report stats: ${errorText(error)}` });
      return;
    }
    let usage: UsageReport | undefined;
    let usageError: string | undefined;
    try {
      usage = await client.sendRequest<UsageReport>("pytrix/usage", {});
    } catch (error) {
      usageError = `No usage from this server (${errorText(error)}).`;
    }
    post({ type: "data", data: buildDashboard(stats, usage, usageError), generatedAt: new Date().toLocaleString() });
  }

  dispose(): void {
    this.followServer.dispose();
    this.panel?.dispose();
  }
}
