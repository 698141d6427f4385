import * as vscode from 'vscode';
import { DownloadProgress } from './downloadProgress';
import { modelPicks, pickTitle, type ModelPick } from './modelPicks';
import { ServerCommand, ServerMethod, type ModelEntry, type PullModelArgs, type SelectModelArgs, type StatsResult, type Tier } from './protocol';
import { ApiKeySecret, message, type ServerLauncher } from './serverLauncher';
import { apiKeyVariable, type SettingsSection } from './settings';
import { statsMarkdown } from './statsReport';

/** The commands the extension contributes (package.json `contributes.commands`). */
export const Commands = {
  pickModel: 'codeAssist.pickModel',
  pickFallbackModel: 'codeAssist.pickFallbackModel',
  toggleInlineCompletions: 'codeAssist.toggleInlineCompletions',
  showStats: 'codeAssist.showStats',
  restartServer: 'codeAssist.restartServer',
  showLogs: 'codeAssist.showLogs',
  setApiKey: 'codeAssist.setApiKey',
} as const;

const StatsUri = vscode.Uri.from({ scheme: 'codeassist', path: '/CodeAssist Stats.md' });

/** Registers every command; the server does the work, these only ask it and show its answers. */
export function registerCommands(context: vscode.ExtensionContext, launcher: ServerLauncher): vscode.Disposable[] {
  const stats = new StatsDocument();
  return [
    vscode.workspace.registerTextDocumentContentProvider(StatsUri.scheme, stats),
    vscode.commands.registerCommand(Commands.pickModel, () => pickModel(launcher, 'local')),
    vscode.commands.registerCommand(Commands.pickFallbackModel, () => pickModel(launcher, 'fallback')),
    vscode.commands.registerCommand(Commands.toggleInlineCompletions, toggleInlineCompletions),
    vscode.commands.registerCommand(Commands.showStats, () => showStats(launcher, stats)),
    vscode.commands.registerCommand(Commands.restartServer, () => launcher.restart()),
    vscode.commands.registerCommand(Commands.showLogs, () => launcher.output.show(true)),
    vscode.commands.registerCommand(Commands.setApiKey, () => setApiKey(context, launcher)),
  ];
}

async function showError(launcher: ServerLauncher, text: string): Promise<void> {
  launcher.output.error(text);
  const choice = await vscode.window.showErrorMessage(`CodeAssist: ${text}`, 'Show Logs');
  if (choice) {
    launcher.output.show(true);
  }
}

/** Lists the tier's models from the server, and hot-swaps to the one picked (codeAssist.selectModel). */
async function pickModel(launcher: ServerLauncher, tier: Tier): Promise<void> {
  const quickPick = vscode.window.createQuickPick<ModelPick>();
  quickPick.title = pickTitle(tier);
  quickPick.placeholder = 'Loading the models…';
  quickPick.matchOnDescription = true;
  quickPick.matchOnDetail = true;
  quickPick.busy = true;
  quickPick.show();

  let entries: ModelEntry[];
  try {
    entries = await launcher.executeCommand<ModelEntry[]>(ServerCommand.listModels, [{ tier }]);
  } catch (error) {
    quickPick.dispose();
    await showError(launcher, `listing the models failed: ${message(error)}`);
    return;
  }
  if (entries.length === 0) {
    quickPick.dispose();
    void vscode.window.showInformationMessage(
      tier === 'local'
        ? 'CodeAssist: no local models found. Put GGUF files in a models folder (see README) or set codeAssist.model.'
        : 'CodeAssist: no fallback models. Configure codeAssist.fallback (kind, model, endpoint).',
    );
    return;
  }

  const items = modelPicks(entries);
  quickPick.items = items;
  quickPick.activeItems = items.filter((item) => item.entry.active);
  quickPick.placeholder = tier === 'local' ? 'The model that completes as you type' : 'The model harder requests escalate to';
  quickPick.busy = false;
  const picked = await new Promise<ModelPick | undefined>((resolve) => {
    quickPick.onDidAccept(() => resolve(quickPick.selectedItems[0]));
    quickPick.onDidHide(() => resolve(undefined));
  });
  quickPick.dispose();
  if (!picked || picked.entry.active) {
    return;
  }
  if (picked.entry.downloadable) {
    await pullModel(launcher, picked.entry);
    return;
  }

  try {
    // The server reports loading progress ($/progress) and the new model in codeAssist/status.
    const selected = await launcher.executeCommand<ModelEntry | null>(ServerCommand.selectModel, [{ tier, id: picked.entry.id } satisfies SelectModelArgs]);
    const name = selected?.label ?? picked.entry.label;
    launcher.output.info(`Selected ${name} for the ${tier} tier`);
    vscode.window.setStatusBarMessage(`CodeAssist: ${tier} model is ${name}`, 4000);
  } catch (error) {
    await showError(launcher, `selecting ${picked.entry.label} failed: ${message(error)}`);
  }
}

/** Downloads a catalog model (codeAssist.pullModel) in a cancellable notification; the server switches to it when done. */
async function pullModel(launcher: ServerLauncher, entry: ModelEntry): Promise<void> {
  let cancelled = false;
  try {
    const selected = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `CodeAssist: downloading ${entry.label}`, cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => (cancelled = true));
        const tracker = new DownloadProgress();
        return launcher.executeCommandWithProgress<ModelEntry | null>(
          ServerCommand.pullModel,
          [{ id: entry.id } satisfies PullModelArgs],
          (value) => {
            const step = tracker.step(value);
            if (step) {
              progress.report(step);
            }
          },
          token,
        );
      },
    );
    const name = selected?.label ?? entry.label;
    launcher.output.info(`Downloaded ${name} and selected it for the local tier`);
    vscode.window.setStatusBarMessage(`CodeAssist: local model is ${name}`, 4000);
  } catch (error) {
    if (cancelled) {
      launcher.output.info(`The download of ${entry.label} was cancelled`);
      void vscode.window.showInformationMessage(`CodeAssist: download of ${entry.label} cancelled. Picking it again resumes it.`);
      return;
    }
    await showError(launcher, `downloading ${entry.label} failed: ${message(error)}`);
  }
}

/** Flips codeAssist.enable where it is set (the workspace's value if it has one, else the user's). */
async function toggleInlineCompletions(): Promise<void> {
  const config = vscode.workspace.getConfiguration('codeAssist');
  const inspected = config.inspect<boolean>('enable');
  const target =
    inspected?.workspaceFolderValue !== undefined
      ? vscode.ConfigurationTarget.WorkspaceFolder
      : inspected?.workspaceValue !== undefined
        ? vscode.ConfigurationTarget.Workspace
        : vscode.ConfigurationTarget.Global;
  const enabled = !config.get<boolean>('enable', true);
  await config.update('enable', enabled, target);
  vscode.window.setStatusBarMessage(`CodeAssist: inline completions ${enabled ? 'on' : 'off'}`, 3000);
}

/** A read-only Markdown document with the latest codeAssist/stats answer. */
class StatsDocument implements vscode.TextDocumentContentProvider {
  private readonly _onDidChange = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this._onDidChange.event;
  private _text = '# CodeAssist statistics\n\nNot read yet.';

  update(text: string): void {
    this._text = text;
    this._onDidChange.fire(StatsUri);
  }

  provideTextDocumentContent(): string {
    return this._text;
  }
}

async function showStats(launcher: ServerLauncher, document: StatsDocument): Promise<void> {
  let stats: StatsResult;
  try {
    stats = await launcher.request<StatsResult>(ServerMethod.stats);
  } catch (error) {
    await showError(launcher, `reading the statistics failed: ${message(error)}`);
    return;
  }
  document.update(statsMarkdown(stats));
  try {
    await vscode.commands.executeCommand('markdown.showPreview', StatsUri);
  } catch {
    // No Markdown preview (the built-in extension disabled): the source reads well too.
    const text = await vscode.workspace.openTextDocument(StatsUri);
    await vscode.window.showTextDocument(text, { preview: true });
  }
}

/** Stores the remote fallback's API key in SecretStorage (never in settings) and restarts the server with it. */
async function setApiKey(context: vscode.ExtensionContext, launcher: ServerLauncher): Promise<void> {
  const variable = apiKeyVariable(vscode.workspace.getConfiguration().get<SettingsSection>('codeAssist'));
  const stored = (await context.secrets.get(ApiKeySecret)) !== undefined;
  const key = await vscode.window.showInputBox({
    title: 'CodeAssist: Set API Key',
    prompt: `The API key of the remote fallback server. Kept in VS Code's secret storage and handed to the server in $${variable}.${
      stored ? ' Leave empty to remove the stored key.' : ''
    }`,
    password: true,
    ignoreFocusOut: true,
    placeHolder: stored ? 'a key is stored' : 'sk-…',
  });
  if (key === undefined) {
    return;
  }
  const trimmed = key.trim();
  if (trimmed === '') {
    if (!stored) {
      return;
    }
    await context.secrets.delete(ApiKeySecret);
    launcher.output.info('API key removed; restarting the server');
  } else {
    await context.secrets.store(ApiKeySecret, trimmed);
    // The key itself is never logged.
    launcher.output.info(`API key stored; restarting the server with it in $${variable}`);
  }
  await launcher.restart();
  void vscode.window.showInformationMessage(
    trimmed === '' ? 'CodeAssist: API key removed.' : `CodeAssist: API key stored; the server restarted with it in $${variable}.`,
  );
}
