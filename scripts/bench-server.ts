/** The service for `npm run bench`, in its own process so the load generator does not share its event loop. */
import 'reflect-metadata';
import pino from 'pino';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';

async function main() {
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://localhost:3000',
    JOBS_ENABLED: 'false',
    // the bench measures throughput: the per-caller budgets would cap it
    RATE_LIMIT_ENABLED: 'false',
  });
  const app = await createApp(config, { logger: pino({ level: 'silent' }) });
  const url = await app.listen();
  process.stdout.write(`${JSON.stringify({ url, emulatorPort: app.emulator!.port, webhookSecret: app.emulator!.webhookSecret })}\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
