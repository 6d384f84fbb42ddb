/**
 * `npm run events:replay -- <evt_id> | --failed | --since <date>  [--dry-run]`:
 * processes Stripe events again, through the same exactly-once path as the
 * webhook route and its worker.
 *  - `<evt_id>`: one event, from our row (or read from Stripe when we never
 *    received it); an event already processed is left alone (processing is
 *    idempotent, so there is nothing to redo).
 *  - `--failed`: every event whose processing failed and waits for its retry,
 *    now, without waiting for the backoff.
 *  - `--since <date>`: every event Stripe has since the date; the ones we have
 *    are recognised by id and skipped.
 * `--dry-run` lists what would be processed.
 */
import type Stripe from 'stripe';
import { dateOption, flag, openOperatorContext } from './lib/operator';

const USAGE = `usage: npm run events:replay -- <evt_…> | --failed | --since <date>  [--dry-run]

Processes Stripe events again, exactly once, as the webhook worker does. Runs on the
service's configuration (DATABASE_URL, STRIPE_SECRET_KEY or STRIPE_API_URL, or the
built-in emulator's saved state).
<evt_…>         one event (from our row, or read from Stripe)
--failed        every event whose processing failed, now, without waiting for its backoff
--since <date>  every event Stripe made since <date>; those we have are skipped
--dry-run       list what would be processed`;

async function main(): Promise<number> {
  const id = process.argv.slice(2).find((a) => a.startsWith('evt_'));
  const failed = flag('failed');
  const since = dateOption('since');
  if (flag('help') || [id, failed, since].filter(Boolean).length !== 1) {
    console.log(USAGE);
    return flag('help') ? 0 : 2;
  }
  const dryRun = flag('dry-run');
  const ctx = await openOperatorContext();
  const { webhooks } = ctx.services;
  const outcomes = new Map<string, number>();
  const count = (outcome: string) => outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  /** one event: recorded if new, then processed (or only listed) */
  const replay = async (event: Stripe.Event | { id: string }, known: boolean) => {
    if (dryRun) {
      console.log(`  would process ${event.id}${'type' in event ? ` (${event.type})` : ''}${known ? '' : ' (not received yet)'}`);
      count('would process');
      return;
    }
    if (!known) await webhooks.receive(event as Stripe.Event, Buffer.from(JSON.stringify(event)));
    try {
      const outcome = await webhooks.processEvent(event.id, ctx.log);
      count(outcome === 'duplicate' ? 'already processed' : outcome);
      console.log(`  ${event.id}: ${outcome === 'duplicate' ? 'already processed' : outcome}`);
    } catch (err) {
      count('failed');
      console.log(`  ${event.id}: failed (${err instanceof Error ? err.message : String(err)}); it stays queued for the worker's retry`);
    }
  };
  try {
    console.log(`events:replay against ${ctx.stripeTarget}${dryRun ? ' (dry run: nothing is written)' : ''}`);
    if (id) {
      const row = await ctx.db.prisma.webhookEvent.findUnique({ where: { id }, select: { id: true, processedAt: true } });
      if (row?.processedAt) {
        console.log(`  ${id}: already processed at ${row.processedAt.toISOString()}; nothing to redo`);
        count('already processed');
      } else await replay(row ?? (await ctx.stripe.events.retrieve(id)), Boolean(row));
    } else if (failed) {
      const rows = await ctx.db.prisma.webhookEvent.findMany({ where: { processedAt: null, result: 'FAILED' }, select: { id: true }, orderBy: { receivedAt: 'asc' } });
      for (const [i, row] of rows.entries()) {
        await replay(row, true);
        if ((i + 1) % 100 === 0) process.stderr.write(`  ${i + 1}/${rows.length}\n`);
      }
    } else if (since) {
      let n = 0;
      for await (const event of ctx.stripe.events.list({ created: { gte: Math.floor(since.getTime() / 1000) }, limit: 100 })) {
        n += 1;
        if (n % 100 === 0) process.stderr.write(`  ${n} events read\n`);
        const row = await ctx.db.prisma.webhookEvent.findUnique({ where: { id: event.id }, select: { processedAt: true } });
        if (row?.processedAt) {
          count('already processed');
          continue;
        }
        await replay(event, Boolean(row));
      }
    }
    console.log(`events:replay: ${[...outcomes].map(([k, v]) => `${v} ${k}`).join(', ') || 'nothing to do'}`);
    return outcomes.has('failed') ? 1 : 0;
  } finally {
    await ctx.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`events:replay failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
