import pino from 'pino';
import pg from 'pg';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { signToken } from '../src/auth/token-verifier';
import { createScratchDatabase, dropDatabase } from './lib/scratch-database';
import { applyMigrations } from '../src/db/migrations';
import { startStripeEmulator } from '../src/emulator';
async function main() {
  const url = await createScratchDatabase('postgresql://postgres@127.0.0.1:5432/postgres', 'bpa_cnt');
  const pool = new pg.Pool({ connectionString: url }); const c = await pool.connect(); await applyMigrations(c); c.release();
  await pool.query(`INSERT INTO reservations (id, guest_id, description, check_in, check_out, amount, currency, status, hold_expires_at, created_at, updated_at) VALUES ('RES-2030-S00001', 'g', 'd', now() + interval '30 days', now() + interval '32 days', 20000, 'EUR', 'CONFIRMED', now() + interval '1 day', now(), now())`);
  const emulator = await startStripeEmulator({});
  const app = await createApp(loadConfig({ DATABASE_URL: url, JWT_SECRET: 'x'.repeat(40), STRIPE_API_URL: emulator.url, STRIPE_WEBHOOK_SECRET: emulator.webhookSecret, PORT: '0', HOST: '127.0.0.1', JOBS_ENABLED: 'false', LOG_LEVEL: 'silent', RATE_LIMIT_ENABLED: 'false', NODE_ENV: 'production' }), { logger: pino({ level: 'silent' }) });
  const base = await app.listen();
  const token = await signToken('x'.repeat(40), { id: 'a', role: 'ADMIN' });
  const seen: string[] = [];
  const stop = app.db.onQuery((e) => seen.push(e.query.slice(0, 60)));
  const q = 'query($reservationId: ID!) { paymentStatus(reservationId: $reservationId) { state attemptCount reservation { id status } attempts { id refunds { id } } refunds { id } } }';
  for (let i = 0; i < 20; i++) {
    const r = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: q, variables: { reservationId: 'RES-2030-S00001' } }) });
    await r.text();
  }
  stop();
  console.log(seen.length, 'statements for 20 requests'); console.log([...new Set(seen)]);
  const t0 = performance.now(); const cpu0 = process.cpuUsage();
  for (let i = 0; i < 2000; i++) { const r = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: q, variables: { reservationId: 'RES-2030-S00001' } }) }); await r.text(); }
  const cpu = process.cpuUsage(cpu0);
  console.log('sequential', ((performance.now() - t0) / 2000).toFixed(3), 'ms/req wall; process cpu (client+server)', ((cpu.user + cpu.system) / 1000 / 2000).toFixed(3));
  await app.close(); await emulator.close(); await pool.end(); await dropDatabase(url);
}
main();
