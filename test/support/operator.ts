/** Runs an operator command (scripts/*.ts) as its own process, on a test server's database and emulator. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { TEST_JWT_SECRET, type TestServer } from './test-server';

export function runOperatorCommand(server: TestServer, script: string, args: string[] = []): Promise<{ code: number; out: string }> {
  const root = path.resolve(__dirname, '../..');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(root, 'scripts', script), ...args], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: server.db.url,
        STRIPE_API_URL: server.emulator.url,
        STRIPE_WEBHOOK_SECRET: server.emulator.webhookSecret,
        JWT_SECRET: TEST_JWT_SECRET,
        TS_NODE_TRANSPILE_ONLY: 'true',
      },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, out }));
  });
}
