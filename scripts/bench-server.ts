/** The service for `npm run bench`, in its own process (the load comes from wrk; Stripe is the emulator's own process, STRIPE_API_URL). */
import 'reflect-metadata';
import pino from 'pino';
import readline from 'node:readline';
import { createApp } from '../src/app';
import { silentLog } from '../src/common/log';
import { systemClock } from '../src/common/clock';
import { loadConfig } from '../src/config';
import { UnitOfWork } from '../src/lifecycle/work';
import { notifyChangesOnCommit } from '../src/live/change-notice';

async function main() {
  const config = loadConfig({
    ...process.env,
    // as in production: no Sandbox, no introspection, no field suggestions, a log line per request
    NODE_ENV: 'production',
    PORT: '0',
    METRICS_PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    LOG_FORMAT: 'json',
    PUBLIC_URL: 'http://localhost:3000',
    JOBS_ENABLED: 'false',
    // the bench measures throughput: the per-caller budgets would cap it
    RATE_LIMIT_ENABLED: 'false',
    // the fan-out section holds 1,000 sockets of two subjects
    LIVE_MAX_CONNECTIONS_PER_SUBJECT: '10000',
    LIVE_MAX_SUBSCRIPTIONS_PER_SUBJECT: '10000',
  });
  // its log lines go to a file, as a service's would (a pipe the bench does not read would stall it)
  const logTo = process.env.BENCH_LOG_FILE ? pino.destination({ dest: process.env.BENCH_LOG_FILE, sync: false }) : pino.destination({ dest: 1, sync: false });
  const app = await createApp(config, { logger: pino({ level: config.logLevel }, logTo) });
  const url = await app.listen();
  process.stdout.write(`${JSON.stringify({ benchReady: true, url })}\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
  // commands from the bench on stdin, one JSON line each, answered on stdout
  const work = new UnitOfWork(app.db, systemClock);
  notifyChangesOnCommit(work);
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    const command = JSON.parse(line) as { memory?: true; touch?: string[]; worker?: 'stop' | 'start' };
    if (command.worker === 'stop') void app.webhookWorker.stop().then(() => process.stdout.write(`${JSON.stringify({ benchAnswer: true, worker: 'stopped' })}\n`));
    if (command.worker === 'start') {
      app.webhookWorker.start();
      process.stdout.write(`${JSON.stringify({ benchAnswer: true, worker: 'started' })}\n`);
    }
    if (command.memory) {
      // this process's memory after full collections (--expose-gc)
      for (let i = 0; i < 3; i += 1) (globalThis as { gc?: () => void }).gc?.();
      const { rss, heapUsed, external } = process.memoryUsage();
      process.stdout.write(`${JSON.stringify({ benchAnswer: true, memory: { rss, heapUsed, external }, subscribers: app.live.fanOut.subscriberCount })}\n`);
    }
    if (command.touch) {
      // a unit of work that touches reservations: the NOTIFY every state change sends; `at` is just after its commit
      void Promise.all(
        command.touch.map((id) =>
          work
            .run({ source: 'JOB', actorId: 'system', actorRole: 'SYSTEM', requestId: 'bench' }, silentLog, async (w) => {
              w.touched.add(id);
            })
            .then(() => ({ id, at: performance.timeOrigin + performance.now() })),
        ),
      ).then((committed) => process.stdout.write(`${JSON.stringify({ benchAnswer: true, committed })}\n`));
    }
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
