import { spawn } from 'node:child_process';

/** What the packaged server advertises in its initialize answer. */
export interface ServerCapabilities {
  commands: string[];
  codeActions: boolean;
}

/**
 * Starts the server, sends initialize, and reads the commands and code actions it advertises; then shutdown and
 * exit. The steps that need a server feature (model switching, code actions) run only where it is advertised.
 */
export async function probeServer(executable: string, env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<ServerCapabilities> {
  const child = spawn(executable, ['serve'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  const send = (message: object): void => {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
    child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    child.stdin.write(body);
  };
  try {
    const answer = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no initialize answer in time')), timeoutMs);
      let buffer = Buffer.alloc(0);
      child.on('error', reject);
      child.on('exit', (code) => reject(new Error(`the server exited (${code}) before answering initialize`)));
      child.stdout.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        for (;;) {
          const headerEnd = buffer.indexOf('\r\n\r\n');
          if (headerEnd < 0) {
            return;
          }
          const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, headerEnd).toString('ascii'))?.[1]);
          if (buffer.length < headerEnd + 4 + length) {
            return;
          }
          const message = JSON.parse(buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8')) as Record<string, unknown>;
          buffer = buffer.subarray(headerEnd + 4 + length);
          if (message['id'] === 1) {
            clearTimeout(timer);
            resolve(message);
          }
        }
      });
      send({ id: 1, method: 'initialize', params: { processId: process.pid, rootUri: null, capabilities: {} } });
    });
    const result = answer['result'] as { capabilities?: Record<string, unknown> } | undefined;
    const capabilities = result?.capabilities ?? {};
    const executeCommand = capabilities['executeCommandProvider'] as { commands?: string[] } | undefined;
    send({ id: 2, method: 'shutdown' });
    send({ method: 'exit' });
    return {
      commands: executeCommand?.commands ?? [],
      codeActions: capabilities['codeActionProvider'] !== undefined && capabilities['codeActionProvider'] !== false,
    };
  } finally {
    setTimeout(() => child.kill(), 2000).unref();
  }
}
