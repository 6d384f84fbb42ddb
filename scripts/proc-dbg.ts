/** Processing alone: N received checkout.session.completed events drained by the service's worker. */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import Stripe from 'stripe';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createScratchDatabase, dropDatabase } from './lib/scratch-database';
import { applyMigrations } from '../src/db/migrations';
import { startStripeEmulator } from '../src/emulator';

async function main() {
  const N = Number(process.env.N ?? 3000);
  const url = await createScratchDatabase(process.env.BASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres', 'bpa_proc');
  const pool = new pg.Pool({ connectionString: url });
  const c = await pool.connect(); await applyMigrations(c); c.release();
  const emulator = await startStripeEmulator({});
  const app = await createApp(loadConfig({ DATABASE_URL: url, JWT_SECRET: 'x'.repeat(40), STRIPE_API_URL: emulator.url, STRIPE_WEBHOOK_SECRET: emulator.webhookSecret, PORT: '0', HOST: '127.0.0.1', JOBS_ENABLED: 'false', LOG_LEVEL: 'silent', RATE_LIMIT_ENABLED: 'false', NODE_ENV: 'production', WEBHOOK_WORKERS: process.env.WORKERS ?? '4' }), { logger: pino({ level: 'silent' }) });
  await pool.query(`INSERT INTO reservations (id, guest_id, description, check_in, check_out, amount, currency, status, hold_expires_at, created_at, updated_at)
     SELECT 'RES-2030-Q' || lpad(i::text, 5, '0'), 'g', 'd', now() + interval '30 days', now() + interval '32 days', 20000, 'EUR', 'PENDING', now() + interval '1 day', now(), now() FROM generate_series(1, $1) i`, [N]);
  const { rows } = await pool.query(`INSERT INTO payments (id, reservation_id, attempt, status, amount, currency, checkout_session_id, checkout_url, expires_at, idempotency_key, created_at, updated_at)
     SELECT gen_random_uuid(), 'RES-2030-Q' || lpad(i::text, 5, '0'), 1, 'PENDING', 20000, 'EUR', 'cs_q_' || i, 'x', now() + interval '30 minutes', 'q-' || i, now(), now() FROM generate_series(1, $1) i RETURNING id, reservation_id, checkout_session_id`, [N]);
  const values: unknown[] = [];
  for (const [i, row] of rows.entries()) {
    const event = { id: `evt_q_${i}_${randomUUID().slice(0, 6)}`, object: 'event', type: 'checkout.session.completed', created: Math.floor(Date.now() / 1000), livemode: false, data: { object: { id: row.checkout_session_id, object: 'checkout.session', status: 'complete', payment_status: 'paid', payment_intent: `pi_q_${i}`, metadata: { reservation_id: row.reservation_id, payment_id: row.id, attempt: '1' } } } };
    values.push([event.id, event.type, JSON.stringify(event)]);
  }
  await pool.query(`INSERT INTO webhook_events (id, type, payload, payload_sha256, stripe_created_at) SELECT x->>0, x->>1, (x->>2)::json, 'h', now() FROM json_array_elements($1::json) x`, [JSON.stringify(values)]);
  const { execFileSync } = await import('node:child_process');
  const fs = await import('node:fs');
  const pgCpu = () => execFileSync('pgrep', ['-x', 'postgres']).toString().trim().split('\n').reduce((s, pid) => { try { const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return s + Number(f[11]) + Number(f[12]); } catch { return s; } }, 0) * 10;
  const pg0 = pgCpu();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await app.listen();
  await app.webhookWorker.drain();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const { rows: ok } = await pool.query(`SELECT count(*) AS n FROM payments WHERE status = 'SUCCEEDED'`);
  console.log(`${N} events processed in ${ms.toFixed(0)} ms: ${(N / (ms / 1000)).toFixed(0)}/s; node cpu ${((cpu.user + cpu.system) / 1000 / N).toFixed(3)} ms/event; pg cpu ${((pgCpu() - pg0) / N).toFixed(3)} ms/event; succeeded ${ok[0].n}`);
  await app.close(); await emulator.close(); await pool.end(); await dropDatabase(url);
}
main();
