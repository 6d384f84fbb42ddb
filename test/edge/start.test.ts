/**
 * `npm start`'s process: a port already in use ends it with one clear line and
 * no stack; the ready summary names GraphQL, the explorer, the checkout and the
 * database (JSON mode: one `ready` record).
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { openTestDatabase } from '../support/test-database';
import { withoutPassword } from '../../src/start-summary';

const ROOT = path.resolve(__dirname, '../..');

function runMain(env: Record<string, string>, until: (out: string) => boolean, timeoutMs = 60_000) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'development', JOBS_ENABLED: 'false', LOG_LEVEL: 'info', LOG_FORMAT: 'json', ...env },
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`main.ts did not finish: ${stdout}\n${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (until(stdout)) child.kill('SIGTERM');
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function withDatabase<T>(use: (url: string) => Promise<T>): Promise<T> {
  const db = await openTestDatabase();
  try {
    return await use(db.url);
  } finally {
    await db.close();
  }
}

it('ends a start on a port in use with one line and no stack', async () => {
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as net.AddressInfo).port;
  try {
    const result = await withDatabase((url) => runMain({ PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: url }, () => false));
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`cannot start: port ${port} is already in use on 127.0.0.1 (another \`npm start\`?): stop it or set PORT`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  } finally {
    taken.close();
  }
}, 90_000);

it('logs one ready record with the URLs and the database in use (JSON when not a terminal)', async () => {
  const result = await withDatabase((url) =>
    runMain({ PORT: '0', METRICS_PORT: '0', HOST: '127.0.0.1', DATABASE_URL: url }, (out) => out.includes('"msg":"ready"')),
  );
  const ready = result.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, string>)
    .find((record) => record.msg === 'ready')!;
  expect(ready.graphql).toMatch(/^http:\/\/localhost:[1-9]\d*\/graphql$/);
  expect(ready.explorer).toMatch(/\/graphiql/);
  expect(ready.checkout).toMatch(/Stripe emulator at http:\/\/127\.0\.0\.1:\d+/);
  expect(ready.database).toMatch(/^postgresql:\/\/postgres@127\.0\.0\.1:\d+\//);
}, 90_000);

it('never prints a database password', () => {
  expect(withoutPassword('postgresql://app:s3cret@db.internal:5432/payments')).toBe('postgresql://app@db.internal:5432/payments');
  expect(withoutPassword('postgresql://app@db:5432/payments')).toBe('postgresql://app@db:5432/payments');
});
