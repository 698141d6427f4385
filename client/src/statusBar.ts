import * as vscode from 'vscode';
import type { StatusParams } from './protocol';
import type { ServerLauncher } from './serverLauncher';
import { statusView } from './statusView';

/** The command a click on the item runs. */
const ClickCommand = 'codeAssist.pickModel';

/**
 * The status bar item: the local model, its state and its last latency from codeAssist/status. It appears once
 * the server runs (and stays, in red, if it stops); a click opens Select Model.
 */
export class StatusBar implements vscode.Disposable {
  private readonly _item: vscode.StatusBarItem;
  private readonly _subscriptions: vscode.Disposable[];
  private _status: StatusParams | undefined;
  private _seenRunning = false;

  constructor(private readonly _launcher: ServerLauncher) {
    this._item = vscode.window.createStatusBarItem('codeassist.status', vscode.StatusBarAlignment.Right, 100);
    this._item.name = 'CodeAssist';
    this._item.command = ClickCommand;
    this._subscriptions = [
      this._item,
      _launcher.onPhase((phase) => {
        if (phase !== 'running') {
          // A new process reports its own status.
          this._status = undefined;
        }
        this.render();
      }),
      _launcher.onStatus((status) => {
        this._status = status;
        this.render();
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('codeAssist.enable')) {
          this.render();
        }
      }),
    ];
    this.render();
  }

  private render(): void {
    const phase = this._launcher.phase;
    if (phase === 'running') {
      this._seenRunning = true;
    }
    const enabled = vscode.workspace.getConfiguration('codeAssist').get<boolean>('enable', true);
    const view = statusView(phase, enabled, this._status);
    this._item.text = view.text;
    this._item.tooltip = view.tooltip;
    this._item.accessibilityInformation = { label: view.ariaLabel };
    this._item.backgroundColor =
      view.severity === 'error'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : view.severity === 'warning'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    if (this._seenRunning || phase === 'stopped') {
      this._item.show();
    } else {
      this._item.hide();
    }
  }

  dispose(): void {
    for (const subscription of this._subscriptions) {
      subscription.dispose();
    }
  }
}
