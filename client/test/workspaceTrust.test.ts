import * as assert from 'node:assert/strict';
import { restartWhenTrusted, type TrustSource } from '../src/workspaceTrust';

/** vscode.workspace's trust event, fired by hand. */
function fakeWorkspace(): TrustSource & { grant(): void; listeners(): number } {
  const listeners = new Set<() => void>();
  return {
    onDidGrantWorkspaceTrust: (listener: () => unknown) => {
      const entry = (): void => void listener();
      listeners.add(entry);
      return { dispose: () => listeners.delete(entry) };
    },
    grant: () => listeners.forEach((listener) => listener()),
    listeners: () => listeners.size,
  };
}

describe('workspace trust granted later', () => {
  it('restarts the server once per grant and says why', async () => {
    const workspace = fakeWorkspace();
    const lines: string[] = [];
    let restarts = 0;
    restartWhenTrusted(workspace, async () => void restarts++, (line) => lines.push(line));
    assert.equal(restarts, 0);

    workspace.grant();
    await Promise.resolve();
    assert.equal(restarts, 1);
    assert.match(lines[0] ?? '', /trusted: restarting the server out of restricted mode/);
  });

  it('logs a restart that fails instead of rejecting unhandled', async () => {
    const workspace = fakeWorkspace();
    const lines: string[] = [];
    restartWhenTrusted(workspace, () => Promise.reject(new Error('no executable')), (line) => lines.push(line));
    workspace.grant();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(lines[1], 'Restarting the server: no executable');
  });

  it('stops listening when disposed', () => {
    const workspace = fakeWorkspace();
    let restarts = 0;
    const subscription = restartWhenTrusted(workspace, async () => void restarts++, () => undefined);
    subscription.dispose();
    assert.equal(workspace.listeners(), 0);
    workspace.grant();
    assert.equal(restarts, 0);
  });
});
