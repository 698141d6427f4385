import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  State,
  WorkDoneProgress,
  type LanguageClientOptions,
  type LSPAny,
  type WorkDoneProgressBegin,
  type WorkDoneProgressEnd,
  type WorkDoneProgressReport,
} from 'vscode-languageclient/node';
import { ServerMethod, type StatusParams } from './protocol';
import { initializationOptions, resolveServerPath, serverEnvironment, serverSettings, type SettingsSection } from './settings';
import type { ClientPhase } from './statusView';
import { restartWhenTrusted } from './workspaceTrust';

/** The SecretStorage key of the remote fallback's API key. */
export const ApiKeySecret = 'codeAssist.apiKey';

const Section = 'codeAssist';

/**
 * Starts the `codeassist` server over stdio and owns the language client: settings in (initializationOptions,
 * pushes on change, answers to workspace/configuration), the API key into the server's environment, whether the
 * workspace is trusted (initializationOptions; a new server when trust is granted), status out.
 * Completions themselves are wired by vscode-languageclient from the server's capabilities.
 */
export class ServerLauncher implements vscode.Disposable {
  /**
   * The "CodeAssist" log channel: the client's messages and the server's log. The server sends its log as
   * window/logMessage while connected and writes to stderr only what it could not send (vscode-languageclient shows
   * those lines as errors), so each line shows once and nothing here parses the server's line format.
   */
  readonly output: vscode.LogOutputChannel;

  private readonly _onPhase = new vscode.EventEmitter<ClientPhase>();
  private readonly _onStatus = new vscode.EventEmitter<StatusParams>();
  private readonly _disposables: vscode.Disposable[] = [];
  /** The workspace's Python files, for the server's workspace context (workspace/didChangeWatchedFiles). */
  private readonly _pythonFiles = vscode.workspace.createFileSystemWatcher('**/*.py');
  private _client: LanguageClient | undefined;
  private _process: ChildProcess | undefined;
  private _apiKeyStored = false;
  private _nextProgressToken = 0;
  private _phase: ClientPhase = 'starting';
  /** Serialises start, stop and restart. */
  private _queue: Promise<unknown> = Promise.resolve();

  /** Fires when the client starts, runs or stops. */
  readonly onPhase = this._onPhase.event;

  /** Fires with every codeAssist/status notification. */
  readonly onStatus = this._onStatus.event;

  constructor(private readonly _context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('CodeAssist', { log: true });
    this._disposables.push(
      this.output,
      this._pythonFiles,
      this._onPhase,
      this._onStatus,
      vscode.workspace.onDidChangeConfiguration((event) => this.onConfigurationChanged(event)),
      restartWhenTrusted(vscode.workspace, () => this.restart(), (line) => this.output.info(line)),
    );
  }

  /** The client's phase now. */
  get phase(): ClientPhase {
    return this._phase;
  }

  /** Starts the server (a no-op while it runs). */
  start(): Promise<void> {
    return this.enqueue(() => this.startNow());
  }

  /** Stops the server and waits for it to exit. */
  stop(): Promise<void> {
    return this.enqueue(() => this.stopNow());
  }

  /** Stops the server if it runs and starts a new one (the environment and settings are read again). */
  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.stopNow();
      await this.startNow();
    });
  }

  /** Runs a server command with workspace/executeCommand; rejects with the server's error message. */
  async executeCommand<T>(command: string, args: unknown[]): Promise<T> {
    const client = this.runningClient();
    return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args as LSPAny[] })) as T;
  }

  /**
   * Runs a server command with a work-done token of its own, handing each $/progress value for it to `onProgress`;
   * cancelling `token` sends $/cancelRequest.
   */
  async executeCommandWithProgress<T>(
    command: string,
    args: unknown[],
    onProgress: (value: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd) => void,
    token: vscode.CancellationToken,
  ): Promise<T> {
    const client = this.runningClient();
    const workDoneToken = `codeassist-client/${process.pid}/${++this._nextProgressToken}`;
    const listening = client.onProgress(WorkDoneProgress.type, workDoneToken, onProgress);
    try {
      return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args as LSPAny[], workDoneToken }, token)) as T;
    } finally {
      listening.dispose();
    }
  }

  /** Sends a request of our own protocol (codeAssist/…). */
  async request<T>(method: string): Promise<T> {
    return await this.runningClient().sendRequest<T>(method);
  }

  dispose(): void {
    void this.stop();
    for (const disposable of this._disposables) {
      disposable.dispose();
    }
  }

  private runningClient(): LanguageClient {
    if (!this._client || this._client.state !== State.Running) {
      throw new Error('the CodeAssist server is not running (see CodeAssist: Show Logs)');
    }
    return this._client;
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this._queue.then(work, work);
    this._queue = next.catch(() => undefined);
    return next;
  }

  private setPhase(phase: ClientPhase): void {
    if (this._phase !== phase) {
      this._phase = phase;
      this._onPhase.fire(phase);
    }
  }

  private section(): SettingsSection {
    return vscode.workspace.getConfiguration().get<SettingsSection>(Section) ?? {};
  }

  /** The settings object the server gets, with the API key's variable named when a key is stored. */
  private settingsForServer(): SettingsSection {
    return serverSettings(this.section(), this._apiKeyStored);
  }

  private async startNow(): Promise<void> {
    if (this._client) {
      return;
    }
    const server = resolveServerPath(
      vscode.workspace.getConfiguration(Section).get<string | null>('server.path'),
      process.env,
      this._context.extensionPath,
    );
    if (!fs.existsSync(server.path)) {
      const where = {
        setting: 'the codeAssist.server.path setting',
        environment: '$CODEASSIST_SERVER_PATH',
        packaged: 'the extension (run `npm run package`, or set codeAssist.server.path)',
      }[server.source];
      this.output.error(`Server executable not found: ${server.path} (from ${where})`);
      this.setPhase('stopped');
      void vscode.window
        .showErrorMessage(`CodeAssist: the server executable was not found at ${server.path}.`, 'Open Settings', 'Show Logs')
        .then((choice) => {
          if (choice === 'Open Settings') {
            void vscode.commands.executeCommand('workbench.action.openSettings', 'codeAssist.server.path');
          } else if (choice === 'Show Logs') {
            this.output.show(true);
          }
        });
      return;
    }

    this.setPhase('starting');
    this.output.info(`Starting ${server.path} (from ${server.source})`);
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'python' },
        { scheme: 'untitled', language: 'python' },
      ],
      outputChannel: this.output,
      synchronize: { fileEvents: this._pythonFiles },
      // Read at every start, after the server process was spawned (so _apiKeyStored is current), with the trust as it is now.
      initializationOptions: () => initializationOptions(this.section(), this._apiKeyStored, vscode.workspace.isTrusted),
      middleware: {
        workspace: {
          // The server pulls the codeAssist section; it gets what initializationOptions carried.
          configuration: async (params, token, next) => {
            const result = await next(params, token);
            if (!Array.isArray(result)) {
              return result;
            }
            return result.map((value: unknown, index) =>
              params.items[index]?.section === Section ? (serverSettings(value as SettingsSection, this._apiKeyStored) as LSPAny) : value,
            ) as LSPAny[];
          },
        },
      },
    };

    const client = new LanguageClient('codeAssist', 'CodeAssist', () => this.spawnServer(server.path), clientOptions);
    client.onNotification(ServerMethod.status, (params: StatusParams) => this._onStatus.fire(params));
    client.onDidChangeState((event) => {
      if (this._client !== client) {
        return;
      }
      if (event.newState === State.Running) {
        this.setPhase('running');
      } else if (event.newState === State.Starting) {
        this.setPhase('starting');
      } else {
        this.setPhase('stopped');
      }
    });
    this._client = client;
    try {
      await client.start();
      this.output.info('Server started');
      this.setPhase('running');
    } catch (error) {
      this.output.error(`The server did not start: ${message(error)}`);
      this._client = undefined;
      this.setPhase('stopped');
      await client.dispose(2000).catch(() => undefined);
      this.killServer();
      void vscode.window.showErrorMessage(`CodeAssist: the server did not start: ${message(error)}`, 'Show Logs').then((choice) => {
        if (choice) {
          this.output.show(true);
        }
      });
    }
  }

  /** Spawns `codeassist serve` with the API key (if stored) in its environment. */
  private async spawnServer(file: string): Promise<ChildProcess> {
    const apiKey = await this._context.secrets.get(ApiKeySecret);
    this._apiKeyStored = apiKey !== undefined && apiKey !== '';
    const env = serverEnvironment(process.env, this.section(), apiKey);
    this.ensureExecutable(file);
    return await new Promise<ChildProcess>((resolve, reject) => {
      const child = spawn(file, ['serve'], { env, stdio: 'pipe', windowsHide: true });
      child.once('error', reject);
      child.once('spawn', () => {
        child.off('error', reject);
        child.on('error', (error) => this.output.error(`Server process: ${error.message}`));
        child.once('exit', (code, signal) => this.output.info(`Server process exited (${signal ?? `code ${code}`})`));
        this._process = child;
        resolve(child);
      });
    });
  }

  /** An unpacked VSIX may lose the executable bit on some systems; the packaged server gets it back. */
  private ensureExecutable(file: string): void {
    if (process.platform === 'win32') {
      return;
    }
    try {
      fs.accessSync(file, fs.constants.X_OK);
    } catch {
      try {
        fs.chmodSync(file, 0o755);
        this.output.info(`Made ${file} executable`);
      } catch (error) {
        this.output.warn(`${file} is not executable and could not be made so: ${message(error)}`);
      }
    }
  }

  private async stopNow(): Promise<void> {
    const client = this._client;
    this._client = undefined;
    if (client) {
      // shutdown + exit; the server exits by itself, and is killed if it has not within the timeout.
      await client.dispose(3000).catch((error: unknown) => this.output.warn(`Stopping the server: ${message(error)}`));
    }
    this.killServer();
    this.setPhase('stopped');
  }

  private killServer(): void {
    const child = this._process;
    this._process = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill();
    }
  }

  private onConfigurationChanged(event: vscode.ConfigurationChangeEvent): void {
    if (!event.affectsConfiguration(Section)) {
      return;
    }
    // A new executable, or a new variable name for the stored key, takes a new process.
    if (
      event.affectsConfiguration(`${Section}.server.path`) ||
      (this._apiKeyStored && event.affectsConfiguration(`${Section}.fallback.apiKeyEnv`))
    ) {
      this.output.info('Settings changed that need a new server process: restarting');
      void this.restart();
      return;
    }
    const client = this._client;
    if (client && client.state === State.Running) {
      void client
        .sendNotification(DidChangeConfigurationNotification.type, { settings: { [Section]: this.settingsForServer() } })
        .catch((error: unknown) => this.output.warn(`Sending settings: ${message(error)}`));
    }
  }
}

/** The text of an error (a JSON-RPC error's message, as the server wrote it). */
export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
