/**
 * Background work on a schedule. With a PostgreSQL server, pg-boss (a job queue
 * kept in PostgreSQL) runs it: each scheduled job is taken by one instance, so any
 * number of API processes cooperate. The embedded database has one process by
 * definition, so plain timers run the same jobs there.
 */
import PgBoss from 'pg-boss';
import type { Log } from '../common/log';
import type { Metrics } from '../metrics/metrics';
import type { ReconciliationService } from '../reconciliation/reconciliation.service';

interface JobDefinition {
  name: string;
  cron: string;
  everyMs: number;
  run(reconciliation: ReconciliationService): Promise<number>;
}

export const JOBS: JobDefinition[] = [
  { name: 'reconcile-pending-payments', cron: '* * * * *', everyMs: 60_000, run: (r) => r.reconcilePendingPayments() },
  { name: 'end-sessionless-claims', cron: '* * * * *', everyMs: 60_000, run: (r) => r.endSessionlessClaims() },
  { name: 'complete-unconfirmed-refunds', cron: '* * * * *', everyMs: 60_000, run: (r) => r.completeUnconfirmedRefunds() },
  { name: 'replay-undelivered-events', cron: '*/5 * * * *', everyMs: 300_000, run: (r) => r.replayUndeliveredEvents() },
  { name: 'expire-lapsed-holds', cron: '* * * * *', everyMs: 60_000, run: (r) => r.expireLapsedHolds() },
  { name: 'verify-recent-payments', cron: '*/15 * * * *', everyMs: 900_000, run: (r) => r.verifyRecentPayments() },
  { name: 'purge-old-records', cron: '17 3 * * *', everyMs: 86_400_000, run: (r) => r.purgeOldRecords() },
];

export interface JobRunner {
  kind: 'pg-boss' | 'timers';
  stop(): Promise<void>;
}

export async function startJobs(options: { databaseUrl?: string; reconciliation: ReconciliationService; log: Log; metrics?: Metrics }): Promise<JobRunner> {
  const { reconciliation, log, metrics } = options;
  const runJob = async (job: JobDefinition) => {
    try {
      const count = await job.run(reconciliation);
      metrics?.job(job.name, 'ok');
      if (count) log.info({ job: job.name, count }, 'background job done');
    } catch (err) {
      metrics?.job(job.name, 'failed');
      log.error({ err, job: job.name }, 'background job failed; it runs again on its next turn');
      throw err;
    }
  };

  if (!options.databaseUrl) {
    const running = new Set<string>();
    const timers = JOBS.map((job) =>
      setInterval(() => {
        if (running.has(job.name)) return;
        running.add(job.name);
        void runJob(job)
          .catch(() => undefined)
          .finally(() => running.delete(job.name));
      }, job.everyMs),
    );
    for (const timer of timers) timer.unref();
    return {
      kind: 'timers',
      async stop() {
        for (const timer of timers) clearInterval(timer);
      },
    };
  }

  const boss = new PgBoss({ connectionString: options.databaseUrl, max: 3, application_name: 'booking-payment-api-jobs' });
  boss.on('error', (err) => log.error({ err }, 'job queue error'));
  await boss.start();
  for (const job of JOBS) {
    await boss.createQueue(job.name, { name: job.name, policy: 'singleton' });
    await boss.schedule(job.name, job.cron);
    await boss.work(job.name, { pollingIntervalSeconds: 10 }, () => runJob(job));
  }
  // jobs of earlier versions that no longer exist must not keep firing
  for (const schedule of await boss.getSchedules()) {
    if (!JOBS.some((j) => j.name === schedule.name)) await boss.unschedule(schedule.name);
  }
  return {
    kind: 'pg-boss',
    async stop() {
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    },
  };
}
