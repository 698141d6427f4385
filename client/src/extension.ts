import type * as vscode from 'vscode';
import { registerCommands } from './commands';
import { ServerLauncher } from './serverLauncher';
import { StatusBar } from './statusBar';

let launcher: ServerLauncher | undefined;

/** Starts the server for Python files; commands and the status bar talk to it. */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  launcher = new ServerLauncher(context);
  context.subscriptions.push(launcher, new StatusBar(launcher), ...registerCommands(context, launcher));
  await launcher.start();
}

/** Stops the server (shutdown, exit) before the extension host goes. */
export async function deactivate(): Promise<void> {
  await launcher?.stop();
  launcher = undefined;
}
