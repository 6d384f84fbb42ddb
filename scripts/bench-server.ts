/** The service for `npm run bench`, in its own process (the load comes from wrk; Stripe is the emulator's own process, STRIPE_API_URL). */
import 'reflect-metadata';
import pino from 'pino';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';

async function main() {
  const config = loadConfig({
    ...process.env,
    // as in production: no Sandbox, no introspection, no field suggestions, a log line per request
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    LOG_FORMAT: 'json',
    PUBLIC_URL: 'http://localhost:3000',
    JOBS_ENABLED: 'false',
    // the bench measures throughput: the per-caller budgets would cap it
    RATE_LIMIT_ENABLED: 'false',
  });
  const app = await createApp(config, { logger: pino({ level: config.logLevel }, pino.destination({ dest: 1, sync: false })) });
  const url = await app.listen();
  process.stdout.write(`${JSON.stringify({ benchReady: true, url })}\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
