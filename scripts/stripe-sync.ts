/**
 * `npm run stripe:sync -- --since <date> [--dry-run]`: backfills and repairs our
 * rows from Stripe's own lists: every Checkout Session and every refund created
 * since the date is read, decoded into facts (src/stripe/stripe-facts.ts) and
 * applied through the same settlement as a webhook (idempotent: what is already in
 * step changes nothing). For when webhooks were lost for longer than the
 * reconciliation jobs look back, or after restoring a backup. `--dry-run` applies
 * everything in transactions that are rolled back and reports what would change.
 */
import type Stripe from 'stripe';
import { factsFromSession, refundFact } from '../src/stripe/stripe-facts';
import { dateOption, flag, openOperatorContext } from './lib/operator';

const USAGE = `usage: npm run stripe:sync -- --since <date> [--dry-run]

Reads from Stripe every Checkout Session and every refund created since <date>
(an ISO date, e.g. 2026-11-01) and brings our rows in step, as webhooks would have.
Runs on the service's configuration (DATABASE_URL, STRIPE_SECRET_KEY or
STRIPE_API_URL, or the built-in emulator's saved state).
--dry-run   apply in transactions that are rolled back; report what would change`;

async function main(): Promise<number> {
  if (flag('help')) {
    console.log(USAGE);
    return 0;
  }
  const since = dateOption('since');
  if (!since) {
    process.stderr.write(`--since is required\n${USAGE}\n`);
    return 2;
  }
  const dryRun = flag('dry-run');
  const ctx = await openOperatorContext();
  const cause = { source: 'JOB' as const, actorId: 'operator', actorRole: 'SYSTEM', requestId: 'npm run stripe:sync', purpose: 'repair' as const };
  const apply = (facts: ReturnType<typeof factsFromSession>) => ctx.services.settlement.settleReporting(facts, cause, ctx.log, { rehearse: dryRun });
  try {
    console.log(`stripe:sync since ${since.toISOString()} against ${ctx.stripeTarget}${dryRun ? ' (dry run: nothing is written)' : ''}`);
    const created = { gte: Math.floor(since.getTime() / 1000) };
    const changed = new Set<string>();
    let sessions = 0;
    let refunds = 0;
    let skipped = 0;
    const progress = (what: string, n: number) => {
      if (n % 100 === 0) process.stderr.write(`  ${n} ${what} read\n`);
    };
    for await (const session of ctx.stripe.checkout.sessions.list({ created, limit: 100, expand: ['data.payment_intent'] })) {
      sessions += 1;
      progress('sessions', sessions);
      if (!session.metadata?.payment_id) {
        skipped += 1; // not made by this service
        continue;
      }
      for (const id of await apply(factsFromSession(session as Stripe.Checkout.Session))) changed.add(id);
    }
    for await (const refund of ctx.stripe.refunds.list({ created, limit: 100 })) {
      refunds += 1;
      progress('refunds', refunds);
      for (const id of await apply([refundFact(refund)])) changed.add(id);
    }
    console.log(
      `stripe:sync: ${sessions} sessions (${skipped} not ours) and ${refunds} refunds read; ${changed.size} reservations ${dryRun ? 'would change' : 'changed'}${changed.size ? `: ${[...changed].sort().join(', ')}` : ''}`,
    );
    return 0;
  } finally {
    await ctx.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`stripe:sync failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
