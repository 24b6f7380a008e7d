/**
 * Pytrix for VS Code: the entry point. Everything lives in the Controller
 * (host/controller.ts); the logic it relies on is in plain modules under
 * lib/ that vitest tests without VS Code.
 */

import type * as vscode from "vscode";
import { Controller } from "./host/controller";

let controller: Controller | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<{ controller: Controller }> {
  controller = new Controller(context);
  context.subscriptions.push(controller);
  void controller.server.ensure();
  return { controller };
}

export async function deactivate(): Promise<void> {
  await controller?.server.stop();
  controller = undefined;
}
