/**
 * `npm run bench:explain`: the paymentStatus statement before (Prisma's include,
 * with JSONB aggregation, unprepared) and after (src/db/payment-status-query.ts:
 * a flat join, prepared), with EXPLAIN (ANALYZE, BUFFERS) on 1,000 seeded
 * reservations and the PostgreSQL backend's CPU per execution over 2,000 runs.
 */
import pg from 'pg';
import { createScratchDatabase, dropDatabase } from '../scripts/lib/scratch-database';
import { applyMigrations } from '../src/db/migrations';
import { PAYMENT_STATUS_STATEMENT } from '../src/db/payment-status-query';
import fs from 'node:fs';

/** What Prisma generated for paymentStatus's `include` (relationJoins) before the statement was written by hand. */
const PRISMA_INCLUDE_SQL = `SELECT "t0"."id", "t0"."guest_id" AS "guestId", "t0"."description", "t0"."check_in" AS "checkIn", "t0"."check_out" AS "checkOut", "t0"."amount", "t0"."currency", "t0"."status"::text, "t0"."hold_expires_at" AS "holdExpiresAt", "t0"."created_at" AS "createdAt", "t0"."updated_at" AS "updatedAt", "Reservation_payments"."__prisma_data__" AS "payments" FROM "public"."reservations" AS "t0" LEFT JOIN LATERAL (SELECT COALESCE(JSONB_AGG("__prisma_data__"), '[]') AS "__prisma_data__" FROM (SELECT "t3"."__prisma_data__" FROM (SELECT JSONB_BUILD_OBJECT('id', "t2"."id", 'reservationId', "t2"."reservation_id", 'attempt', "t2"."attempt", 'status', "t2"."status", 'amount', "t2"."amount", 'currency', "t2"."currency", 'refundedAmount', "t2"."refunded_amount", 'checkoutSessionId', "t2"."checkout_session_id", 'paymentIntentId', "t2"."payment_intent_id", 'checkoutUrl', "t2"."checkout_url", 'expiresAt', "t2"."expires_at", 'failureCode', "t2"."failure_code", 'failureMessage', "t2"."failure_message", 'disputed', "t2"."disputed", 'idempotencyKey', "t2"."idempotency_key", 'createdAt', "t2"."created_at", 'updatedAt', "t2"."updated_at", 'refunds', "Payment_refunds"."__prisma_data__") AS "__prisma_data__", "t2"."attempt", "t2"."id" FROM (SELECT "t1".* FROM "public"."payments" AS "t1" WHERE "t0"."id" = "t1"."reservation_id" /* root select */) AS "t2" LEFT JOIN LATERAL (SELECT COALESCE(JSONB_AGG("__prisma_data__"), '[]') AS "__prisma_data__" FROM (SELECT "t7"."__prisma_data__" FROM (SELECT JSONB_BUILD_OBJECT('id', "t6"."id", 'paymentId', "t6"."payment_id", 'amount', "t6"."amount", 'currency', "t6"."currency", 'status', "t6"."status", 'reason', "t6"."reason", 'policy', "t6"."policy", 'stripeRefundId', "t6"."stripe_refund_id", 'requestedBy', "t6"."requested_by", 'idempotencyKey', "t6"."idempotency_key", 'failureReason', "t6"."failure_reason", 'uncertainSince', "t6"."uncertain_since", 'createdAt', "t6"."created_at", 'updatedAt', "t6"."updated_at") AS "__prisma_data__", "t6"."created_at", "t6"."id" FROM (SELECT "t5".* FROM "public"."refunds" AS "t5" WHERE "t2"."id" = "t5"."payment_id" /* root select */) AS "t6" /* inner select */) AS "t7" ORDER BY "t7"."created_at" ASC, "t7"."id" ASC /* middle select */) AS "t8" /* outer select */) AS "Payment_refunds" ON true /* inner select */) AS "t3" ORDER BY "t3"."attempt" DESC /* middle select */) AS "t4" /* outer select */) AS "Reservation_payments" ON true WHERE ("t0"."id" = $1 AND 1=1) LIMIT 1`;

async function main() {
  const url = await createScratchDatabase('postgresql://postgres@127.0.0.1:5432/postgres', 'bpa_explain');
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const c = await pool.connect(); await applyMigrations(c);
  await c.query(`INSERT INTO reservations (id, guest_id, description, check_in, check_out, amount, currency, status, hold_expires_at, created_at, updated_at)
     SELECT 'RES-2030-S' || lpad(i::text, 5, '0'), 'bench-guest', 'Bench room', now() + interval '30 days', now() + interval '32 days', 20000, 'EUR', 'CONFIRMED', now() + interval '1 day', now(), now() FROM generate_series(1, 1000) i`);
  await c.query(`INSERT INTO payments (id, reservation_id, attempt, status, amount, currency, refunded_amount, checkout_session_id, payment_intent_id, checkout_url, expires_at, idempotency_key, created_at, updated_at)
     SELECT gen_random_uuid(), 'RES-2030-S' || lpad(i::text, 5, '0'), 1, 'PARTIALLY_REFUNDED', 20000, 'EUR', 3000, 'cs_bench_s' || i, 'pi_bench_s' || i, 'http://x/' || i, now() + interval '30 minutes', 'bench-s-' || i, now(), now() FROM generate_series(1, 1000) i`);
  await c.query(`INSERT INTO refunds (id, payment_id, amount, currency, status, policy, stripe_refund_id, created_at, updated_at)
     SELECT gen_random_uuid(), p.id, x.amount, 'EUR', 'SUCCEEDED', 'ADMIN', 're_' || x.k || '_' || p.id, now(), now() FROM payments p CROSS JOIN (VALUES (1, 1000), (2, 2000)) AS x(k, amount)`);
  await c.query('ANALYZE');
  const prismaSql = PRISMA_INCLUDE_SQL;
  const cases: Array<[string, string, unknown[]]> = [
    ['before (Prisma include, JSONB)', prismaSql, ['RES-2030-S00500']],
    ['after (flat join, prepared)', PAYMENT_STATUS_STATEMENT.text, [['RES-2030-S00500']]],
  ];
  for (const [name, text, values] of cases) {
    // warm, then explain
    for (let i = 0; i < 50; i++) await c.query(text, values);
    const plan = await c.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING ON) ${text}`, values);
    console.log(`\n=== ${name}\n` + plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
    // CPU: 2000 executions, as the server measures it
    const before = process.hrtime.bigint();
    const pid = (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const cpu = () => { const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
    const c0 = cpu();
    for (let i = 0; i < 2000; i++) await c.query(name.startsWith('after') ? { name: 'ps', text, values: values } : { text, values: values });
    console.log(`backend CPU per execution: ${((cpu() - c0) / 2000).toFixed(3)} ms; wall ${(Number(process.hrtime.bigint() - before) / 1e6 / 2000).toFixed(3)} ms`);
  }
  c.release(); await pool.end(); await dropDatabase(url);
}
main();
