// Workspace trust: the client says whether the workspace is trusted; what restricted mode allows is the server's rule.
// Only a type import of 'vscode', so the unit tests can run it in plain Node.

import type * as vscode from 'vscode';

/** What this needs of `vscode.workspace`. */
export interface TrustSource {
  readonly onDidGrantWorkspaceTrust: vscode.Event<void>;
}

/**
 * Restarts the server when the user grants the workspace trust. The server reads the trust once, at initialize (see
 * `initializationOptions`), so a new process is how it leaves restricted mode; it also reads every setting again,
 * the ones VS Code held back from an untrusted workspace included. (Trust is never taken back without a window reload.)
 */
export function restartWhenTrusted(workspace: TrustSource, restart: () => Promise<void>, log: (message: string) => void): vscode.Disposable {
  return workspace.onDidGrantWorkspaceTrust(() => {
    log('The workspace is now trusted: restarting the server out of restricted mode');
    restart().catch((error: unknown) => log(`Restarting the server: ${error instanceof Error ? error.message : String(error)}`));
  });
}
