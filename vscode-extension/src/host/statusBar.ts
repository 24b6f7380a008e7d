/** The status bar item: current question, pass count, streak (text from lib/status.ts). */

import * as vscode from "vscode";
import { statusText, type RunCount, type ServerState, type StatusInput } from "../lib/status";

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("pytrix.status", vscode.StatusBarAlignment.Left, 50);
  private readonly counts = new Map<string, RunCount>();
  private questionId: string | null = null;
  private uri: string | null = null;
  private streak: number | undefined;
  private running = false;
  private server: ServerState = { state: "starting" };

  constructor() {
    this.item.name = "Pytrix";
    this.item.command = "pytrix.ui.openPractice";
    this.render();
    this.item.show();
  }

  setTarget(uri: string | null, questionId: string | null): void {
    this.uri = uri;
    this.questionId = questionId;
    this.render();
  }

  setCount(uri: string, count: RunCount): void {
    this.counts.set(uri, count);
    if (uri === this.uri) this.render();
  }

  setStreak(days: number | undefined): void {
    this.streak = days;
    this.render();
  }

  setServer(server: ServerState): void {
    this.server = server;
    this.render();
  }

  setRunning(running: boolean): void {
    this.running = running;
    this.render();
  }

  /** What the item shows now (for tests and logs). */
  get text(): string {
    return this.item.text;
  }

  private render(): void {
    const count = this.uri ? this.counts.get(this.uri) : undefined;
    const input: StatusInput = {
      questionId: this.questionId,
      passed: count?.passed,
      total: count?.total,
      runStatus: count?.runStatus,
      streakDays: this.streak,
      running: this.running,
      server: this.server,
    };
    const { text, tooltip } = statusText(input);
    const down = this.server.state === "failed" || this.server.state === "stopped";
    this.item.command = down ? "pytrix.ui.showLog" : "pytrix.ui.openPractice";
    this.item.text = text;
    this.item.tooltip = tooltip;
  }

  dispose(): void {
    this.item.dispose();
  }
}
