/**
 * Checkout attempts: handing back the open session of a reservation, or
 * starting the next attempt, for createCheckoutSession and retryPayment alike
 * (one code path; only the entry rules differ).
 *
 * Starting an attempt is crash-safe and race-safe without holding a database
 * lock across the Stripe call:
 *  1. under the reservation's lock the attempt is claimed: a PENDING row with no
 *     session yet, with the Stripe idempotency key and the session's expiry fixed,
 *     so every later call for this attempt sends identical parameters;
 *  2. the session is created at Stripe with that key; concurrent callers, a retry
 *     after a crash, or the next call after an unknown outcome, get the same
 *     session back from Stripe's idempotency layer;
 *  3. the session id is written only if the row has none yet.
 * A refused call withdraws the claim (nothing exists at Stripe); an unknown one
 * keeps it and tells the client PAYMENT_PROVIDER_PENDING: calling again
 * completes it, it never makes a second session.
 */
import Stripe from 'stripe';
import type { Caller } from '../auth/caller';
import { causeOf } from '../auth/caller';
import type { Clock } from '../common/clock';
import type { Log } from '../common/log';
import type { Loaders, Payment, PrismaClient, Reservation } from '../db';
import { PaymentAttemptStatus } from '../db';
import type { Database } from '../db/database';
import { type Sql, statement } from '../db/sql';
import { columns } from '../db/store';
import { AppError, type ErrorCode } from '../errors';
import type { Metrics } from '../metrics/metrics';
import { lockAggregate, type Aggregate } from '../lifecycle/aggregate';
import type { TransitionAuthority } from '../lifecycle/transition-authority';
import type { Cause, UnitOfWork, Work } from '../lifecycle/work';
import type { ReservationService } from '../reservations/reservation.service';
import { VANISHED, type SettlementService } from '../settlement/settlement.service';
import { factsFromSession } from '../stripe/stripe-facts';
import { callStripe, logStripeTrouble, pendingError, refusalError } from '../stripe/stripe-outcome';
import type { CheckoutUrls } from './checkout-urls';
import { MAX_ATTEMPTS, newAttemptBlocker } from './payment-rules';
import type { CheckoutSession } from './payment.type';

/** Stripe's minimum session lifetime is 30 min from creation; a minute of slack covers the time to reach Stripe. */
export const SESSION_LIFETIME_MS = 31 * 60 * 1000;
/** A claimed attempt without a session after this long was left by a crash or an outage. */
const STALE_CLAIM_MS = 60 * 1000;
/** Endings that were the provider's doing, not the guest's: createCheckoutSession starts the next attempt by itself. */
const PROVIDER_ENDINGS = new Set([VANISHED.code, 'session_not_created']);

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  ALREADY_PAID: 'This reservation is already paid',
  HOLD_EXPIRED: "The reservation's hold has expired; it can no longer be paid",
  RESERVATION_NOT_PAYABLE: 'This reservation cannot be paid now',
  RETRY_LIMIT_REACHED: `All ${MAX_ATTEMPTS} payment attempts have been used`,
};

export const attemptError = (code: ErrorCode, message?: string) => new AppError(code, message ?? MESSAGES[code] ?? code);

/**
 * Who may start what: `first` (createCheckoutSession) hands back the open
 * session or starts attempt 1; `retry` (retryPayment) starts the next attempt
 * after an ended one; `any` (a payment link) does whichever is allowed.
 */
export type AttemptMode = 'first' | 'retry' | 'any';

type Decision =
  | { kind: 'refuse'; error: AppError }
  | { kind: 'open'; attempt: Payment }
  | { kind: 'close-previous'; sessionId: string }
  | { kind: 'claimed'; attempt: Payment };

const RECORD_SESSION = statement(
  'record-session',
  `WITH recorded AS (
     UPDATE payments SET checkout_session_id = $2, checkout_url = $3, expires_at = $4, updated_at = $5
     WHERE id = $1 AND checkout_session_id IS NULL RETURNING ${columns.payment()}
   )
   SELECT *, true AS "recordedNow" FROM recorded
   UNION ALL SELECT ${columns.payment()}, false FROM payments WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM recorded)`,
);

export class CheckoutService {
  private readonly sql: Sql;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly stripe: Stripe,
    private readonly urls: CheckoutUrls,
    private readonly reservations: ReservationService,
    private readonly work: UnitOfWork,
    private readonly authority: TransitionAuthority,
    private readonly settlement: SettlementService,
    private readonly clock: Clock,
    db: Pick<Database, 'pool' | 'sqlOn'>,
    private readonly metrics?: Metrics,
  ) {
    this.sql = db.sqlOn(db.pool);
  }

  /** SPEC createCheckoutSession: the open session of the reservation, or a new first attempt. */
  async createCheckoutSession(
    input: { reservationId: string; successUrl?: string | null; cancelUrl?: string | null },
    caller: Caller,
    loaders: Loaders,
  ): Promise<CheckoutSession> {
    const reservation = await this.reservations.getForUser(input.reservationId, caller.user, loaders, 'input.reservationId');
    return this.open(reservation, 'first', this.urls.resolve(reservation.id, input), caller);
  }

  /**
   * SPEC retryPayment: a new attempt (attempt + 1, its own idempotency key, the
   * same amount) after a FAILED, EXPIRED or CANCELED one, within the hold and the
   * attempt limit. An earlier session that may still be open at Stripe is expired
   * there first; if the guest paid it meanwhile, that payment stands.
   */
  async retryPayment(reservationId: string, caller: Caller, loaders: Loaders): Promise<CheckoutSession> {
    const reservation = await this.reservations.getForUser(reservationId, caller.user, loaders, 'reservationId');
    return this.open(reservation, 'retry', this.urls.resolve(reservation.id, {}), caller);
  }

  /** The open session, or the next attempt `mode` allows; at most a few rounds of asking Stripe what changed. */
  async open(reservation: Reservation, mode: AttemptMode, urls: { successUrl: string; cancelUrl: string }, caller: Caller): Promise<CheckoutSession> {
    const cause = causeOf(caller);
    const closed = new Set<string>();
    let verified = false;
    for (let round = 0; round < 4; round += 1) {
      const decision = await this.work.run(cause, caller.log, (work) => this.decide(work, reservation.id, mode, closed));
      switch (decision.kind) {
        case 'refuse':
          throw decision.error;
        case 'close-previous':
          await this.closePrevious(decision.sessionId, cause, caller.log);
          closed.add(decision.sessionId);
          continue;
        case 'open':
          if (!verified && decision.attempt.checkoutSessionId) {
            verified = true;
            if (await this.changedAtStripe(decision.attempt.checkoutSessionId, cause, caller.log)) continue;
          }
          return toCheckoutSession(await this.ensureSession(decision.attempt, reservation, urls, caller.log));
        case 'claimed':
          return toCheckoutSession(await this.ensureSession(decision.attempt, reservation, urls, caller.log));
      }
    }
    throw pendingError('The payment provider keeps changing this reservation’s payment; ask again in a moment');
  }

  /** Under the reservation's lock: what may happen now. No Stripe call here. */
  private async decide(work: Work, reservationId: string, mode: AttemptMode, closed: Set<string>): Promise<Decision> {
    const aggregate = await lockAggregate(work, reservationId);
    if (!aggregate) return { kind: 'refuse', error: attemptError('RESERVATION_NOT_PAYABLE') };
    await this.lapseOverdueAttempt(work, aggregate);
    if (await this.authority.expireHold(work, aggregate)) return { kind: 'refuse', error: attemptError('HOLD_EXPIRED') };
    const latest = aggregate.attempts[0];
    if (latest?.status === PaymentAttemptStatus.PENDING) {
      if (mode === 'retry') {
        return {
          kind: 'refuse',
          error: attemptError('RESERVATION_NOT_PAYABLE', 'The current checkout session is still open: pay on it, or retry once it has failed or expired'),
        };
      }
      return { kind: 'open', attempt: latest };
    }
    const blocker = newAttemptBlocker(aggregate.reservation, aggregate.attempts, work.now);
    if (blocker) return { kind: 'refuse', error: attemptError(blocker) };
    if (mode === 'retry' && !latest) {
      return { kind: 'refuse', error: attemptError('RESERVATION_NOT_PAYABLE', 'No payment attempt to retry yet: use createCheckoutSession') };
    }
    if (mode === 'first' && latest && !PROVIDER_ENDINGS.has(latest.failureCode ?? '')) {
      return { kind: 'refuse', error: attemptError('RESERVATION_NOT_PAYABLE', 'The last payment attempt is over: start a new one with retryPayment') };
    }
    if (latest?.checkoutSessionId && !closed.has(latest.checkoutSessionId) && latest.failureCode !== VANISHED.code) {
      return { kind: 'close-previous', sessionId: latest.checkoutSessionId };
    }
    const attempt = await this.authority.claimAttempt(work, aggregate, {
      attempt: (latest?.attempt ?? 0) + 1,
      expiresAt: new Date(work.now.getTime() + SESSION_LIFETIME_MS),
      idempotencyKey: `checkout-session:${reservationId}:${(latest?.attempt ?? 0) + 1}`,
    });
    return { kind: 'claimed', attempt };
  }

  /** An open attempt past its session's expiry is over for us, even before Stripe's event arrives. */
  private async lapseOverdueAttempt(work: Work, aggregate: Aggregate): Promise<void> {
    const latest = aggregate.attempts[0];
    if (latest?.status === PaymentAttemptStatus.PENDING && latest.checkoutSessionId && latest.expiresAt && latest.expiresAt <= work.now) {
      await this.authority.moveAttempt(work, aggregate, latest.id, PaymentAttemptStatus.EXPIRED);
    }
  }

  /**
   * Before a retry: the previous session must not stay payable at Stripe. If the
   * guest paid it meanwhile, that is applied (and the next round answers
   * ALREADY_PAID); if Stripe no longer knows it, there is nothing to close.
   */
  private async closePrevious(sessionId: string, cause: Cause, log: Log): Promise<void> {
    const read = await callStripe(() => this.stripe.checkout.sessions.retrieve(sessionId, { expand: ['payment_intent'] }));
    if (read.kind === 'refused' && read.missing) return;
    if (read.kind !== 'done') {
      logStripeTrouble(log, 'checkout.sessions.retrieve', read);
      throw new AppError('PAYMENT_PROVIDER_UNAVAILABLE', 'The payment provider could not be asked about the previous session; nothing was done. Try again in a moment', { retryable: true });
    }
    let session = read.value;
    if (session.status === 'open') {
      const expired = await callStripe(() => this.stripe.checkout.sessions.expire(sessionId, { expand: ['payment_intent'] }));
      if (expired.kind === 'done') session = expired.value;
      else if (!(expired.kind === 'refused' && !expired.transient)) {
        logStripeTrouble(log, 'checkout.sessions.expire', expired);
        throw new AppError('PAYMENT_PROVIDER_UNAVAILABLE', 'The previous checkout session could not be closed; nothing was done. Try again in a moment', { retryable: true });
      } else {
        // Stripe refused to expire it: it is no longer open (paid a moment ago); read what it is now
        const again = await callStripe(() => this.stripe.checkout.sessions.retrieve(sessionId, { expand: ['payment_intent'] }));
        if (again.kind !== 'done') throw refusalError(expired);
        session = again.value;
      }
    }
    await this.settlement.settle(factsFromSession(session), cause, log);
  }

  /**
   * Before handing back an open session: is it still open at Stripe? Stripe may
   * have expired it, been paid on it, or no longer know it (a different account,
   * a reset emulator); what it says is applied and the caller decides again.
   * When Stripe cannot be asked, the stored session is handed back as it is.
   */
  private async changedAtStripe(sessionId: string, cause: Cause, log: Log): Promise<boolean> {
    const read = await callStripe(() => this.stripe.checkout.sessions.retrieve(sessionId, { expand: ['payment_intent'] }));
    if (read.kind === 'done') {
      if (read.value.status === 'open') return false;
      await this.settlement.settle(factsFromSession(read.value), cause, log);
      return true;
    }
    if (read.kind === 'refused' && read.missing) {
      log.warn({ checkoutSessionId: sessionId }, 'the payment provider no longer knows this session: the attempt is canceled');
      await this.settlement.settle([{ kind: 'SessionVanished', ref: { sessionId } }], cause, log);
      return true;
    }
    logStripeTrouble(log, 'checkout.sessions.retrieve', read);
    return false;
  }

  /** The claimed attempt with its Stripe session, creating the session if the row has none yet. */
  private async ensureSession(
    payment: Payment,
    reservation: Reservation,
    urls: { successUrl: string; cancelUrl: string },
    log: Log,
  ): Promise<Payment> {
    if (payment.checkoutSessionId) return payment;
    let claim = payment;
    const now = this.clock.now().getTime();
    if (now - claim.createdAt.getTime() > STALE_CLAIM_MS && claim.expiresAt!.getTime() - now < 30 * 60 * 1000) {
      claim = await this.renewStaleClaim(claim, reservation, urls, log);
      if (claim.checkoutSessionId) return claim;
    }
    const outcome = await callStripe(() => this.createStripeSession(claim, reservation, urls));
    if (outcome.kind === 'done') {
      log.info({ paymentId: claim.id, checkoutSessionId: outcome.value.id, attempt: claim.attempt }, 'checkout session created');
      return this.recordSession(claim, outcome.value);
    }
    logStripeTrouble(log, 'checkout.sessions.create', outcome);
    if (outcome.kind === 'refused') {
      // Stripe answered no: nothing exists there, so the claim goes (the next call starts clean)
      await this.withdrawClaim(claim, log);
      throw refusalError(outcome);
    }
    if (outcome.error instanceof Stripe.errors.StripeIdempotencyError) {
      // a concurrent call for this attempt asked Stripe with other redirect URLs: its session is the one
      const recorded = await this.awaitRecordedSession(claim.id);
      if (recorded) return recorded;
    }
    throw pendingError(
      'The payment provider has not confirmed the checkout session yet. Ask again for it: you will get this same attempt, never a second session',
      { paymentId: claim.id },
    );
  }

  private async withdrawClaim(claim: Payment, log: Log): Promise<void> {
    await this.work.run({ source: 'API', actorId: 'system', actorRole: 'SYSTEM' }, log, async (work) => {
      const aggregate = await lockAggregate(work, claim.reservationId);
      const current = aggregate?.attempts.find((a) => a.id === claim.id);
      if (aggregate && current && !current.checkoutSessionId && current.status === PaymentAttemptStatus.PENDING) {
        await this.authority.withdrawAttemptClaim(work, aggregate, claim.id);
      }
    });
  }

  /** The claim's session as written by a concurrent call, if it appears within a couple of seconds. */
  private async awaitRecordedSession(paymentId: string): Promise<Payment | null> {
    for (let i = 0; i < 20; i += 1) {
      const row = await this.prisma.payment.findUnique({ where: { id: paymentId } });
      if (row?.checkoutSessionId) return row;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return null;
  }

  /**
   * A claim older than a minute without a session: its Stripe call may or may not
   * have happened. Replaying the same key returns the session if it did; if Stripe
   * has never seen the key, the old expiry is now too close and Stripe refuses,
   * so a fresh key and expiry are taken (only while the row still has no session).
   */
  private async renewStaleClaim(
    claim: Payment,
    reservation: Reservation,
    urls: { successUrl: string; cancelUrl: string },
    log: Log,
  ): Promise<Payment> {
    const replay = await callStripe(() => this.createStripeSession(claim, reservation, urls));
    if (replay.kind === 'done') return this.recordSession(claim, replay.value);
    if (replay.kind === 'unknown') {
      logStripeTrouble(log, 'checkout.sessions.create (replay)', replay);
      throw pendingError('The payment provider has not confirmed the checkout session yet. Ask again in a moment', { paymentId: claim.id });
    }
    const renewed = new Date(this.clock.now().getTime() + SESSION_LIFETIME_MS);
    await this.prisma.payment.updateMany({
      where: { id: claim.id, checkoutSessionId: null },
      data: { expiresAt: renewed, idempotencyKey: `checkout-session:${reservation.id}:${claim.attempt}:${renewed.getTime()}` },
    });
    return this.prisma.payment.findUniqueOrThrow({ where: { id: claim.id } });
  }

  private createStripeSession(
    payment: Payment,
    reservation: Reservation,
    urls: { successUrl: string; cancelUrl: string },
  ): Promise<Stripe.Checkout.Session> {
    const metadata = { reservation_id: reservation.id, payment_id: payment.id, attempt: String(payment.attempt), org_id: reservation.orgId };
    const nights = Math.max(1, Math.round((reservation.checkOut.getTime() - reservation.checkIn.getTime()) / 86_400_000));
    return this.stripe.checkout.sessions.create(
      {
        mode: 'payment',
        currency: payment.currency.toLowerCase(),
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: payment.currency.toLowerCase(),
              unit_amount: payment.amount,
              product_data: {
                name: reservation.description,
                description: `${nights} night${nights === 1 ? '' : 's'}: ${reservation.checkIn.toISOString().slice(0, 10)} to ${reservation.checkOut.toISOString().slice(0, 10)} (${reservation.id})`,
              },
            },
          },
        ],
        expires_at: Math.floor(payment.expiresAt!.getTime() / 1000),
        client_reference_id: reservation.id,
        metadata,
        // Stripe copies neither to the PaymentIntent nor the Charge by itself
        payment_intent_data: { metadata },
        success_url: urls.successUrl,
        cancel_url: urls.cancelUrl,
      },
      { idempotencyKey: payment.idempotencyKey },
    );
  }

  private async recordSession(claim: Payment, session: Stripe.Checkout.Session): Promise<Payment> {
    // one statement: written only if the row has no session yet, and the row as it stands either way
    const { recordedNow, ...written } = await this.sql.one<Payment & { recordedNow: boolean }>(RECORD_SESSION, [
      claim.id,
      session.id,
      session.url,
      new Date(session.expires_at * 1000),
      this.clock.now(),
    ]);
    if (recordedNow) this.metrics?.checkoutSessionCreated(written.attempt);
    // A concurrent call recorded it while this UPDATE waited for the row: the UPDATE
    // then matched nothing, and the statement's own snapshot still shows no session.
    // A new statement sees what that call committed.
    const row = !recordedNow && written.checkoutSessionId === null ? await this.prisma.payment.findUniqueOrThrow({ where: { id: claim.id } }) : written;
    if (row.checkoutSessionId !== session.id) {
      throw new Error(`payment ${row.id} holds session ${row.checkoutSessionId}, Stripe returned ${session.id}`);
    }
    return row;
  }

  /** A follow-up: an open session that must not be paid any more is expired at Stripe; what Stripe answers is applied. */
  async expireAtStripe(sessionId: string, cause: Cause, log: Log): Promise<void> {
    const read = await callStripe(() => this.stripe.checkout.sessions.retrieve(sessionId));
    if (read.kind !== 'done') {
      if (!(read.kind === 'refused' && read.missing)) logStripeTrouble(log, 'checkout.sessions.retrieve', read);
      return; // it expires by itself within 30 minutes; a payment on it would be refunded
    }
    if (read.value.status !== 'open') return;
    const expired = await callStripe(() => this.stripe.checkout.sessions.expire(sessionId, { expand: ['payment_intent'] }));
    if (expired.kind === 'done') await this.settlement.settle(factsFromSession(expired.value), cause, log);
    else logStripeTrouble(log, 'checkout.sessions.expire', expired);
  }

  /**
   * Reconciliation: claims that never got a session and whose expiry has passed.
   * Whatever Stripe made for them has expired unpaid by now (nobody ever had its
   * URL), so the attempt is over and the next one may start.
   */
  async endSessionlessClaims(cause: Cause, log: Log, limit = 100): Promise<number> {
    const stale = await this.prisma.payment.findMany({
      where: { status: PaymentAttemptStatus.PENDING, checkoutSessionId: null, expiresAt: { lte: this.clock.now() } },
      take: limit,
    });
    for (const claim of stale) {
      await this.work.run(cause, log, async (work) => {
        const aggregate = await lockAggregate(work, claim.reservationId);
        const current = aggregate?.attempts.find((a) => a.id === claim.id);
        if (aggregate && current?.status === PaymentAttemptStatus.PENDING && !current.checkoutSessionId) {
          await this.authority.moveAttempt(work, aggregate, claim.id, PaymentAttemptStatus.EXPIRED, {
            failureCode: 'session_not_created',
            failureMessage: 'The payment provider never confirmed a checkout session for this attempt',
          });
        }
      });
    }
    return stale.length;
  }
}

export function toCheckoutSession(payment: Payment): CheckoutSession {
  return {
    paymentId: payment.id,
    sessionId: payment.checkoutSessionId!,
    url: payment.checkoutUrl!,
    expiresAt: payment.expiresAt!,
    amount: payment.amount,
    currency: payment.currency,
    attempt: payment.attempt,
  };
}
