/**
 * The consistency check over a time window: every attempt touched in it is read
 * back from Stripe and compared with our rows (consistency.ts). `verify` only
 * reports; `repair` applies the facts that bring our side in step and reports
 * what it could not repair. A Stripe error skips that attempt (reported as
 * unchecked), never the whole run.
 */
import type Stripe from 'stripe';
import type { Clock } from '../common/clock';
import type { Log } from '../common/log';
import type { PrismaClient } from '../db';
import { orgScope } from '../db/org-scope';
import { lockAggregate } from '../lifecycle/aggregate';
import type { Cause, UnitOfWork } from '../lifecycle/work';
import { silentLog } from '../common/log';
import type { SettlementService } from '../settlement/settlement.service';
import { readAttemptView } from '../stripe/stripe-view';
import { bookingDifferences, compareAttempt, type Difference } from './consistency';

export interface ConsistencyReport {
  from: Date;
  to: Date;
  checkedPayments: number;
  differences: Difference[];
  /** attempts that could not be read from Stripe this time */
  unchecked: { paymentId: string; error: string }[];
  repaired: number;
}

export class ConsistencyService {
  private readonly readCause: Cause = { source: 'JOB', actorId: 'system', actorRole: 'SYSTEM', requestId: 'consistency-check' };

  constructor(
    private readonly prisma: PrismaClient,
    private readonly work: UnitOfWork,
    private readonly stripe: Stripe,
    private readonly settlement: SettlementService,
    private readonly clock: Clock,
  ) {}

  async check(
    /** `orgId`: one organization's payments (an admin's report); unset: all (the jobs, operators) */
    window: { from: Date; to?: Date; limit?: number; orgId?: string },
    options: { repair: boolean; cause: Cause; log: Log; onProgress?: (done: number, total: number) => void },
  ): Promise<ConsistencyReport> {
    const to = window.to ?? this.clock.now();
    const attempts = await this.prisma.payment.findMany({
      where: { updatedAt: { gte: window.from, lte: to }, ...(window.orgId !== undefined ? orgScope.payments(window.orgId) : {}) },
      orderBy: [{ updatedAt: 'asc' }, { id: 'asc' }],
      take: window.limit ?? 10_000,
      select: { id: true, reservationId: true },
    });
    const report: ConsistencyReport = { from: window.from, to, checkedPayments: 0, differences: [], unchecked: [], repaired: 0 };
    const reservationsSeen = new Set<string>();
    for (const [index, ref] of attempts.entries()) {
      options.onProgress?.(index, attempts.length);
      let found: Difference[];
      try {
        found = await this.compareOne(ref.id, ref.reservationId, !reservationsSeen.has(ref.reservationId));
      } catch (err) {
        report.unchecked.push({ paymentId: ref.id, error: String((err as Error).message ?? err).slice(0, 300) });
        continue;
      }
      reservationsSeen.add(ref.reservationId);
      report.checkedPayments += 1;
      if (options.repair && found.some((d) => d.repair.length)) {
        await this.settlement.settle(found.flatMap((d) => d.repair), { ...options.cause, purpose: 'repair' }, options.log);
        report.repaired += found.filter((d) => d.repair.length).length;
        // what remains after the repair is what we could not mend
        found = await this.compareOne(ref.id, ref.reservationId, true);
        for (const left of found) options.log.error({ difference: left }, 'reconciliation could not repair a difference with Stripe');
      }
      report.differences.push(...found);
    }
    options.onProgress?.(attempts.length, attempts.length);
    return report;
  }

  private async compareOne(paymentId: string, reservationId: string, withBooking: boolean): Promise<Difference[]> {
    const aggregate = await this.work.run(this.readCause, silentLog, (work) => lockAggregate(work, reservationId));
    const attempt = aggregate?.attempts.find((a) => a.id === paymentId);
    if (!aggregate || !attempt) return [];
    const view = await readAttemptView(this.stripe, attempt);
    return [...compareAttempt(aggregate, attempt, view), ...(withBooking ? bookingDifferences(aggregate) : [])];
  }
}
