/**
 * `npm run verify -- [--from <date>] [--to <date>] [--repair]`: compares, for
 * every payment touched in the window, our amounts and statuses with Stripe's
 * (the PaymentIntent's status, the charge's refunded amount, every refund), and
 * the booking's own invariants. Prints each difference; exits 1 when there is
 * any, 0 when everything agrees. `--repair` applies what Stripe's record
 * settles (what the background reconciliation does) and reports what is left.
 */
import { dateOption, flag, openOperatorContext } from './lib/operator';

const DAY = 86_400_000;

async function main() {
  if (flag('help')) {
    console.log(`usage: npm run verify -- [--from <date>] [--to <date>] [--repair]

Compares every payment touched between --from (default: 30 days ago) and --to
(default: now) with Stripe, using the service's configuration (DATABASE_URL,
STRIPE_SECRET_KEY or STRIPE_API_URL, or the built-in emulator's saved state).
Exit status: 0 everything agrees, 1 differences found, 2 bad usage or configuration.
--repair    apply what Stripe's record settles, then report what remains
--dry-run   the default: report only, write nothing`);
    return 0;
  }
  const to = dateOption('to') ?? new Date();
  const from = dateOption('from') ?? new Date(to.getTime() - 30 * DAY);
  const repair = flag('repair') && !flag('dry-run');
  const ctx = await openOperatorContext();
  try {
    console.log(`verify: payments touched ${from.toISOString()} → ${to.toISOString()}, against ${ctx.stripeTarget}${repair ? ', repairing' : ''}`);
    let last = 0;
    const report = await ctx.services.consistency.check(
      { from, to },
      {
        repair,
        cause: { source: 'JOB', actorId: 'operator', actorRole: 'SYSTEM', requestId: 'npm run verify' },
        log: ctx.log,
        onProgress: (done, total) => {
          if (total >= 50 && (done === total || done - last >= Math.max(10, Math.floor(total / 10)))) {
            last = done;
            process.stderr.write(`  ${done}/${total} payments checked\n`);
          }
        },
      },
    );
    for (const d of report.differences) {
      console.log(`DIFF ${d.kind.padEnd(24)} reservation ${d.reservationId} payment ${d.paymentId}\n     ours:   ${d.ours}\n     stripe: ${d.stripe}${d.repair.length ? '\n     (repairable: npm run verify -- --repair, or the reconciliation job)' : ''}`);
    }
    for (const u of report.unchecked) console.log(`SKIPPED payment ${u.paymentId}: ${u.error}`);
    console.log(
      `verify: ${report.checkedPayments} payments checked, ${report.differences.length} differences${repair ? `, ${report.repaired} repaired` : ''}${report.unchecked.length ? `, ${report.unchecked.length} could not be read` : ''}`,
    );
    return report.differences.length || report.unchecked.length ? 1 : 0;
  } finally {
    await ctx.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`verify failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
