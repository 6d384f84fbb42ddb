/**
 * Stripe's word applied to our state: each fact (facts.ts) finds the attempt or
 * refund it speaks of, locks its reservation's aggregate, and moves it through
 * the transition authority. Applying a fact twice, or an old fact after a newer
 * one, changes nothing: every move is checked against the tables first, so the
 * handling is idempotent and monotonic whatever order Stripe delivers in.
 */
import type { Log } from '../common/log';
import type { Payment, Refund } from '../db';
import { statement } from '../db/sql';
import type { AttemptRef as StoredAttemptRef, TxStore } from '../db/store';
import { PaymentAttemptStatus as A } from '../db';
import { type Aggregate, OUR_POLICIES, RefundPolicy } from '../lifecycle/booking-rules';
import { lockAggregate } from '../lifecycle/aggregate';
import { type TransitionAuthority } from '../lifecycle/transition-authority';
import { refundPhase } from '../lifecycle/transitions';
import type { Cause, UnitOfWork, Work } from '../lifecycle/work';
import type { Metrics } from '../metrics/metrics';
import { isPaid } from '../payments/payment-rules';
import { RESERVATION_ID_PATTERN } from '../reservations/reservation-id';
import type { AttemptRef, Fact, RefundSnapshot } from './facts';

/** The rows a fact was about (recorded on the webhook event). */
export interface Link {
  reservationId: string;
  paymentId: string;
}

/** Reads from Stripe that some facts need before they can be applied (port; src/stripe implements it). */
export interface StripeReads {
  /** every refund of a charge, as facts */
  refundsOfCharge(chargeId: string): Promise<Fact[]>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ACCEPTED_REFUNDS_TOTAL = statement(
  'accepted-refunds-total',
  `SELECT coalesce(sum(amount), 0)::int AS total FROM refunds WHERE payment_id = $1 AND stripe_refund_id IS NOT NULL AND status IN ('PENDING', 'SUCCEEDED')`,
);

export const VANISHED = {
  code: 'resource_missing',
  message: 'The payment provider no longer knows this checkout session (another account or mode, or its data was reset)',
};

export class SettlementService {
  constructor(
    private readonly work: UnitOfWork,
    private readonly authority: TransitionAuthority,
    private readonly reads: StripeReads,
    private readonly metrics?: Metrics,
  ) {}

  /** Facts from a read or a synchronous answer (not an event): prepared, then applied in one unit of work. */
  async settle(facts: Fact[], cause: Cause, log: Log): Promise<Link[]> {
    if (!facts.length) return [];
    return this.work.run(cause, log, async (work) => {
      const prepared = await this.prepare(work.store, facts);
      const links: Link[] = [];
      for (const fact of prepared) {
        const link = await this.apply(work, fact);
        if (link) links.push(link);
      }
      return links;
    });
  }

  /**
   * Applies facts and says which reservations they changed (operators' commands);
   * `rehearse: true` rolls everything back (a dry run).
   */
  async settleReporting(facts: Fact[], cause: Cause, log: Log, options: { rehearse: boolean }): Promise<string[]> {
    if (!facts.length) return [];
    return this.work.run(
      cause,
      log,
      async (work) => {
        for (const fact of await this.prepare(work.store, facts)) await this.apply(work, fact);
        return [...work.touched];
      },
      { rollback: options.rehearse },
    );
  }

  /**
   * Before the transaction: a charge.refunded that lists no refunds is settled by
   * reading them from Stripe, but only when its total differs from ours (most
   * deliveries need no call: the refund's own events already brought it).
   */
  async prepare(store: TxStore, facts: Fact[]): Promise<Fact[]> {
    const prepared: Fact[] = [];
    for (const fact of facts) {
      if (fact.kind !== 'ChargeRefunded' || fact.refunds) {
        prepared.push(fact);
        continue;
      }
      const attempt = fact.ref.paymentIntentId ? await store.attemptRef('intent', fact.ref.paymentIntentId) : null;
      if (!attempt) continue; // not ours
      const accepted = await store.sql.one<{ total: number }>(ACCEPTED_REFUNDS_TOTAL, [attempt.id]);
      if (accepted.total === fact.amountRefunded) {
        prepared.push({ ...fact, refunds: [] });
        continue;
      }
      prepared.push(...(await this.reads.refundsOfCharge(fact.chargeId)));
    }
    return prepared;
  }

  /** Applies one fact; returns the rows it concerned, or null when it is not about anything of ours. */
  async apply(work: Work, fact: Fact): Promise<Link | null> {
    switch (fact.kind) {
      case 'SessionPaid':
        return this.onAttempt(work, fact.ref, async (aggregate, attempt) => {
          if (isPaid(attempt.status)) return;
          if (this.authority.canMoveAttempt(attempt, A.SUCCEEDED)) {
            await this.authority.moveAttempt(work, aggregate, attempt.id, A.SUCCEEDED, { paymentIntentId: fact.paymentIntentId });
          }
        });
      case 'SessionAwaitingPayment':
        return this.onAttempt(work, fact.ref, async () => undefined);
      case 'SessionExpired':
        return this.onAttempt(work, fact.ref, async (aggregate, attempt) => {
          if (attempt.status === A.PENDING) await this.authority.moveAttempt(work, aggregate, attempt.id, A.EXPIRED);
        });
      case 'SessionVanished':
        return this.onAttempt(work, fact.ref, async (aggregate, attempt) => {
          if (attempt.status === A.PENDING) {
            await this.authority.moveAttempt(work, aggregate, attempt.id, A.CANCELED, { failureCode: VANISHED.code, failureMessage: VANISHED.message });
          }
        });
      case 'PaymentFailed':
        return this.onAttempt(work, fact.ref, async (aggregate, attempt) => {
          if (fact.final && attempt.status === A.PENDING) {
            await this.authority.moveAttempt(work, aggregate, attempt.id, A.FAILED, {
              failureCode: fact.code ?? attempt.failureCode ?? 'payment_failed',
              failureMessage: fact.message ?? attempt.failureMessage,
            });
            return;
          }
          // a declined card: the session stays open for another card; the reason is recorded
          // (also on an attempt the async failure already ended, whose own event carries none)
          if ((attempt.status === A.PENDING || attempt.status === A.FAILED) && fact.code) {
            await this.updateAttempt(work, aggregate, attempt.id, { failureCode: fact.code, failureMessage: fact.message });
            if (attempt.status === A.PENDING) work.committed.push(() => this.metrics?.paymentFailed(fact.code, false));
          }
        });
      case 'RefundPending':
      case 'RefundSettled':
      case 'RefundFailed':
        return this.onRefund(work, fact.refund);
      case 'ChargeRefunded': {
        let link: Link | null = null;
        for (const refund of fact.refunds ?? []) link = (await this.onRefund(work, refund)) ?? link;
        return link ?? this.onAttempt(work, fact.ref, async () => undefined);
      }
      case 'DisputeOpened':
        return this.onAttempt(work, fact.ref, async (aggregate, attempt) => {
          if (attempt.disputed) return;
          await this.updateAttempt(work, aggregate, attempt.id, { disputed: true });
          work.audit.push({
            action: 'dispute.opened',
            targetType: 'dispute',
            targetId: fact.disputeId,
            reservationId: aggregate.reservation.id,
            paymentId: attempt.id,
            amount: fact.amount,
          });
        });
    }
  }

  /**
   * The attempt a Stripe object belongs to, in its locked aggregate: by our
   * metadata (payment_id, with a matching reservation_id and session), else by
   * Stripe's ids. An attempt claimed but never given its session (a crash between
   * Stripe's answer and our write) is found by metadata and adopts it here.
   */
  private async onAttempt(
    work: Work,
    ref: AttemptRef,
    handle: (aggregate: Aggregate, attempt: Payment) => Promise<void>,
  ): Promise<Link | null> {
    const { aggregate, attempt: found } = await this.lockAttempt(work, ref);
    if (!aggregate || !found) return null;
    const before = [...aggregate.attempts];
    let attempt = found;
    // ids Stripe gave that the row lacks (a crash between Stripe's answer and our write) are adopted,
    // and written with whatever the handler writes next (or on their own, below)
    const adopt: Partial<Payment> = {};
    if (ref.sessionId && !attempt.checkoutSessionId) adopt.checkoutSessionId = ref.sessionId;
    if (ref.paymentIntentId && !attempt.paymentIntentId) adopt.paymentIntentId = ref.paymentIntentId;
    if (Object.keys(adopt).length) {
      attempt = { ...attempt, ...adopt };
      aggregate.attempts = aggregate.attempts.map((a) => (a.id === attempt.id ? attempt : a));
    }
    await handle(aggregate, attempt);
    if (Object.keys(adopt).length && aggregate.attempts.find((a) => a.id === attempt.id) === attempt) {
      await this.updateAttempt(work, aggregate, attempt.id, {});
    }
    if (aggregate.attempts.some((a, i) => a !== before[i])) work.touched.add(aggregate.reservation.id);
    return { reservationId: aggregate.reservation.id, paymentId: attempt.id };
  }

  /**
   * The attempt in its locked aggregate. When our metadata names both the
   * reservation and the attempt, the reservation is locked straight away and the
   * attempt found inside it (no lookup before the lock); otherwise, or when the
   * metadata does not hold, the attempt is looked up by our id or Stripe's.
   */
  private async lockAttempt(work: Work, ref: AttemptRef): Promise<{ aggregate: Aggregate | null; attempt: Payment | null }> {
    const matches = (a: Payment) =>
      a.id === ref.paymentId && (!ref.sessionId || !a.checkoutSessionId || a.checkoutSessionId === ref.sessionId);
    let aggregate: Aggregate | null = null;
    if (ref.reservationId && RESERVATION_ID_PATTERN.test(ref.reservationId) && ref.paymentId && UUID.test(ref.paymentId)) {
      aggregate = await lockAggregate(work, ref.reservationId);
      const attempt = aggregate?.attempts.find(matches);
      if (aggregate && attempt) return { aggregate, attempt };
    }
    const found = await this.findAttempt(work.store, ref);
    if (!found) return { aggregate: null, attempt: null };
    if (aggregate?.reservation.id !== found.reservationId) aggregate = await lockAggregate(work, found.reservationId);
    return { aggregate, attempt: aggregate?.attempts.find((a) => a.id === found.id) ?? null };
  }

  private async findAttempt(store: TxStore, ref: AttemptRef): Promise<StoredAttemptRef | null> {
    if (ref.paymentId && UUID.test(ref.paymentId)) {
      const byMetadata = await store.attemptRef('id', ref.paymentId);
      const matches =
        byMetadata &&
        (!ref.reservationId || byMetadata.reservationId === ref.reservationId) &&
        (!ref.sessionId || !byMetadata.checkoutSessionId || byMetadata.checkoutSessionId === ref.sessionId);
      if (matches) return byMetadata;
    }
    if (ref.sessionId) {
      const bySession = await store.attemptRef('session', ref.sessionId);
      if (bySession) return bySession;
    }
    if (ref.paymentIntentId) return store.attemptRef('intent', ref.paymentIntentId);
    return null;
  }

  /** Fields that are not a status (ids adopted, failure reasons, the dispute flag). */
  private async updateAttempt(
    work: Work,
    aggregate: Aggregate,
    attemptId: string,
    data: Partial<Pick<Payment, 'checkoutSessionId' | 'paymentIntentId' | 'failureCode' | 'failureMessage' | 'disputed'>>,
  ) {
    const current = aggregate.attempts.find((a) => a.id === attemptId)!;
    const updated = await work.store.updateAttemptDetails({ ...current, ...data }, work.now);
    aggregate.attempts = aggregate.attempts.map((a) => (a.id === attemptId ? updated : a));
    return updated;
  }

  /**
   * A Stripe refund brought in step: our row (found by Stripe's id, or by the
   * refund_id we put in its metadata) moves to Stripe's state; a refund we do not
   * have (made in the Dashboard) is recorded, with the policy our metadata names
   * or EXTERNAL.
   */
  private async onRefund(work: Work, snapshot: RefundSnapshot): Promise<Link | null> {
    const byStripeId = await work.store.paymentOfStripeRefund(snapshot.stripeRefundId);
    const ref: AttemptRef = { paymentId: byStripeId ?? snapshot.paymentId, paymentIntentId: snapshot.paymentIntentId ?? undefined };
    return this.onAttempt(work, ref, async (aggregate, attempt) => {
      const row = this.ourRow(aggregate, attempt, snapshot);
      const phase = snapshot.status;
      if (!row) {
        if (phase === 'FAILED' || phase === 'CANCELED') {
          // a refund we never counted that did not move money: recorded for the history only
          await this.authority.recordStripeRefund(work, aggregate, attempt.id, this.newRow(snapshot), phase, snapshot.failureReason);
          return;
        }
        await this.authority.recordStripeRefund(work, aggregate, attempt.id, this.newRow(snapshot), phase, null);
        return;
      }
      const current = refundPhase(row);
      if (current === phase && row.stripeRefundId) return;
      if (this.authority.canMoveRefund(row, phase)) {
        await this.authority.moveRefund(work, aggregate, row.id, phase, {
          stripeRefundId: snapshot.stripeRefundId,
          failureReason: snapshot.failureReason,
        });
      }
    });
  }

  private ourRow(aggregate: Aggregate, attempt: Payment, snapshot: RefundSnapshot): Refund | null {
    const refunds = aggregate.refunds.filter((r) => r.paymentId === attempt.id);
    const byStripeId = refunds.find((r) => r.stripeRefundId === snapshot.stripeRefundId);
    if (byStripeId) return byStripeId;
    const byOurs = snapshot.ourRefundId ? refunds.find((r) => r.id === snapshot.ourRefundId) : undefined;
    // our row, unless it already names another Stripe refund or was refused (then this one is news: count it)
    if (byOurs && !byOurs.stripeRefundId && refundPhase(byOurs) === 'REQUESTED') return byOurs;
    return null;
  }

  private newRow(snapshot: RefundSnapshot) {
    return {
      stripeRefundId: snapshot.stripeRefundId,
      amount: snapshot.amount,
      policy: snapshot.policy && OUR_POLICIES.has(snapshot.policy) ? snapshot.policy : RefundPolicy.EXTERNAL,
      reason: snapshot.reason,
      createdAt: snapshot.createdAt,
    };
  }
}
