/**
 * Checkout attempts: starting one (or handing back the open one) and reporting
 * where a reservation's payment stands.
 *
 * Starting an attempt is crash-safe and race-safe without holding a database
 * lock across the Stripe call:
 *  1. under a row lock on the reservation, the attempt is claimed: a Payment row
 *     (PENDING, no session yet) with the Stripe idempotency key and the session's
 *     expiry fixed, so every later call for this attempt sends identical params;
 *  2. the session is created at Stripe with that key; concurrent callers, or a
 *     retry after a crash between Stripe's answer and our write, get the same
 *     session back from Stripe's idempotency layer;
 *  3. the session id is written only if the row has none yet.
 * A Payment therefore never claims a session Stripe did not return.
 */
import Stripe from 'stripe';
import { assertOwnerOrAdmin } from '../auth/access';
import type { AuthUser } from '../auth/user';
import type { Loaders, Payment, PrismaClient, Reservation } from '../db';
import { PaymentAttemptStatus, ReservationStatus } from '../db';
import { AppError, type ErrorCode, badInput, notFound } from '../errors';
import type { RequestContext } from '../http/request-context';
import { ReservationService } from '../reservations/reservation.service';
import { isStripeRefusal, toProviderError } from '../stripe/stripe-errors';
import { CheckoutUrls } from './checkout-urls';
import {
  MAX_ATTEMPTS,
  holdLapsed,
  isPaid,
  newAttemptBlocker,
  overallState,
  refundedTotal,
} from './payment-state-machine';
import type { CheckoutSession, PaymentStatus } from './payment.type';

/** Stripe's minimum session lifetime is 30 min from creation; a minute of slack covers the time to reach Stripe. */
export const SESSION_LIFETIME_MS = 31 * 60 * 1000;
/** A claimed attempt without a session after this long was left by a crash or an outage. */
const STALE_CLAIM_MS = 60 * 1000;

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  ALREADY_PAID: 'This reservation is already paid',
  HOLD_EXPIRED: "The reservation's hold has expired; it can no longer be paid",
  RESERVATION_NOT_PAYABLE: 'This reservation cannot be paid now',
  RETRY_LIMIT_REACHED: `All ${MAX_ATTEMPTS} payment attempts have been used`,
};

export const attemptError = (code: ErrorCode, message?: string) => new AppError(code, message ?? MESSAGES[code] ?? code);

/** What the service logs with: a request's logger, or the job runner's. */
export interface Log {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export class PaymentService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly stripe: Stripe,
    private readonly urls: CheckoutUrls,
    private readonly reservations: ReservationService,
  ) {}

  /** SPEC createCheckoutSession: the open session of the reservation, or a new first attempt. */
  async createCheckoutSession(
    input: { reservationId: string; successUrl?: string | null; cancelUrl?: string | null },
    user: AuthUser,
    ctx: Pick<RequestContext, 'loaders' | 'log'>,
  ): Promise<CheckoutSession> {
    const reservation = await this.reservationToPay(input.reservationId, 'input.reservationId', user, ctx);
    const urls = this.urls.resolve(reservation.id, input);
    const now = new Date();
    const claimed = await this.prisma.$transaction(async (tx) => {
      const { current, attempts } = await this.lockAttempts(tx, reservation.id, now);
      const latest = attempts[0];
      if (latest?.status === PaymentAttemptStatus.PENDING && current.status === ReservationStatus.PENDING && !holdLapsed(current, now)) {
        return { payment: latest };
      }
      const blocker = newAttemptBlocker(current, attempts, now);
      if (blocker) return { error: await this.refuse(tx, current, blocker) };
      if (latest) {
        return { error: attemptError('RESERVATION_NOT_PAYABLE', 'The last payment attempt is over: start a new one with retryPayment') };
      }
      return { payment: await this.claimAttempt(tx, current, 1, now) };
    });
    if ('error' in claimed) throw claimed.error;
    return toCheckoutSession(await this.ensureSession(claimed.payment, reservation, urls, ctx.log));
  }

  /**
   * SPEC retryPayment: a new attempt (attempt + 1, its own idempotency key, the
   * same amount) after a FAILED, EXPIRED or CANCELED one, within the hold and the
   * attempt limit. An earlier session that may still be open at Stripe is expired
   * there first; if the guest paid it meanwhile, that payment stands and no new
   * attempt is made.
   */
  async retryPayment(reservationId: string, user: AuthUser, ctx: Pick<RequestContext, 'loaders' | 'log'>): Promise<CheckoutSession> {
    const reservation = await this.reservationToPay(reservationId, 'reservationId', user, ctx);
    const urls = this.urls.resolve(reservation.id, {});
    const now = new Date();
    const claimed = await this.prisma.$transaction(async (tx) => {
      const { current, attempts } = await this.lockAttempts(tx, reservation.id, now);
      const latest = attempts[0];
      if (!latest) return { error: attemptError('RESERVATION_NOT_PAYABLE', 'No payment attempt to retry yet: use createCheckoutSession') };
      const blocker = newAttemptBlocker(current, attempts, now);
      if (blocker === 'RESERVATION_NOT_PAYABLE' && latest.status === PaymentAttemptStatus.PENDING) {
        return { error: attemptError(blocker, 'The current checkout session is still open: pay on it, or retry once it has failed or expired') };
      }
      if (blocker) return { error: await this.refuse(tx, current, blocker) };
      const payment = await this.claimAttempt(tx, current, latest.attempt + 1, now);
      return { payment, previousSessionId: latest.checkoutSessionId };
    });
    if ('error' in claimed) throw claimed.error;
    if (claimed.previousSessionId) await this.closePreviousSession(claimed.previousSessionId, claimed.payment, ctx.log);
    return toCheckoutSession(await this.ensureSession(claimed.payment, reservation, urls, ctx.log));
  }

  /** The caller's reservation (owner or admin), with a lapsed hold applied first. */
  private async reservationToPay(id: string, field: string, user: AuthUser, ctx: Pick<RequestContext, 'loaders' | 'log'>) {
    const reservation = await this.reservations.getForUser(id, user, ctx.loaders, field);
    return this.expireLapsedHold(reservation, ctx.log, ctx.loaders);
  }

  /**
   * Under a row lock on the reservation (which serializes new attempts): the
   * reservation and its attempts, newest first. An open attempt whose session is
   * past its expiry is over for us, even before Stripe's event arrives.
   */
  private async lockAttempts(tx: Tx, reservationId: string, now: Date) {
    await tx.$queryRaw`SELECT id FROM reservations WHERE id = ${reservationId} FOR UPDATE`;
    const current = await tx.reservation.findUniqueOrThrow({ where: { id: reservationId } });
    const attempts = await tx.payment.findMany({ where: { reservationId }, orderBy: { attempt: 'desc' } });
    const latest = attempts[0];
    if (latest?.status === PaymentAttemptStatus.PENDING && latest.checkoutSessionId && latest.expiresAt && latest.expiresAt <= now) {
      attempts[0] = await tx.payment.update({ where: { id: latest.id }, data: { status: PaymentAttemptStatus.EXPIRED } });
    }
    return { current, attempts };
  }

  /** The error for a blocked attempt; a PENDING reservation whose hold lapsed is marked EXPIRED on the way. */
  private async refuse(tx: Tx, reservation: Reservation, blocker: ErrorCode): Promise<AppError> {
    if (blocker === 'HOLD_EXPIRED' && reservation.status === ReservationStatus.PENDING) {
      await tx.reservation.update({ where: { id: reservation.id }, data: { status: ReservationStatus.EXPIRED } });
    }
    return attemptError(blocker);
  }

  /** Expires an earlier session at Stripe before a retry; a paid one cancels the retry. */
  private async closePreviousSession(sessionId: string, claim: Payment, log: Log): Promise<void> {
    let session: Stripe.Checkout.Session;
    try {
      session = await this.stripe.checkout.sessions.retrieve(sessionId);
      if (session.status === 'open') session = await this.stripe.checkout.sessions.expire(sessionId);
    } catch (err) {
      if (!isStripeRefusal(err)) {
        // keep the claim: the retry of this mutation will check the old session again
        throw toProviderError(err, log, 'checkout.sessions.expire');
      }
      session = await this.stripe.checkout.sessions.retrieve(sessionId).catch((e) => {
        throw toProviderError(e, log, 'checkout.sessions.retrieve');
      });
    }
    if (session.status === 'complete' && session.payment_status === 'paid') {
      // the guest paid the old session after all: its webhook confirms the reservation
      await this.prisma.payment.deleteMany({ where: { id: claim.id, checkoutSessionId: null } });
      log.info({ checkoutSessionId: sessionId }, 'retry cancelled: the previous session was paid');
      throw attemptError('ALREADY_PAID', 'The previous checkout session was paid; no new attempt is needed');
    }
  }

  /** Inserts the PENDING row of a new attempt (inside the caller's transaction, under the reservation lock). */
  async claimAttempt(tx: Tx, reservation: Reservation, attempt: number, now: Date): Promise<Payment> {
    return tx.payment.create({
      data: {
        reservationId: reservation.id,
        attempt,
        amount: reservation.amount,
        currency: reservation.currency,
        expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS),
        idempotencyKey: `checkout-session:${reservation.id}:${attempt}`,
      },
    });
  }

  /** The claimed attempt with its Stripe session, creating the session if the row has none yet. */
  async ensureSession(
    payment: Payment,
    reservation: Reservation,
    urls: { successUrl: string; cancelUrl: string },
    log: Log,
  ): Promise<Payment> {
    if (payment.checkoutSessionId) return payment;
    let claim = payment;
    if (Date.now() - claim.createdAt.getTime() > STALE_CLAIM_MS && claim.expiresAt!.getTime() - Date.now() < 30 * 60 * 1000) {
      claim = await this.renewStaleClaim(claim, reservation, urls, log);
      if (claim.checkoutSessionId) return claim;
    }
    let session: Stripe.Checkout.Session;
    try {
      session = await this.createStripeSession(claim, reservation, urls);
    } catch (err) {
      if (err instanceof Stripe.errors.StripeIdempotencyError) {
        // a concurrent call for this attempt asked Stripe with other redirect URLs: its session is the one
        const recorded = await this.awaitRecordedSession(claim.id);
        if (recorded) return recorded;
      }
      if (isStripeRefusal(err)) {
        // Stripe answered no: nothing exists there, so the claim goes (a retry starts clean).
        await this.prisma.payment.deleteMany({ where: { id: claim.id, checkoutSessionId: null } });
      }
      throw toProviderError(err, log, 'checkout.sessions.create');
    }
    log.info({ paymentId: claim.id, checkoutSessionId: session.id, attempt: claim.attempt }, 'checkout session created');
    return this.recordSession(claim, session);
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
   * has never seen the key, the old expiry is now too close, so a fresh key and
   * expiry are taken (only while the row still has no session).
   */
  private async renewStaleClaim(
    claim: Payment,
    reservation: Reservation,
    urls: { successUrl: string; cancelUrl: string },
    log: Log,
  ): Promise<Payment> {
    try {
      const session = await this.createStripeSession(claim, reservation, urls);
      return this.recordSession(claim, session);
    } catch (err) {
      if (!isStripeRefusal(err)) throw toProviderError(err, log, 'checkout.sessions.create (replay)');
    }
    const renewed = new Date(Date.now() + SESSION_LIFETIME_MS);
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
    const metadata = { reservation_id: reservation.id, payment_id: payment.id, attempt: String(payment.attempt) };
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
    await this.prisma.payment.updateMany({
      where: { id: claim.id, checkoutSessionId: null },
      data: {
        checkoutSessionId: session.id,
        checkoutUrl: session.url,
        expiresAt: new Date(session.expires_at * 1000),
      },
    });
    const row = await this.prisma.payment.findUniqueOrThrow({ where: { id: claim.id } });
    if (row.checkoutSessionId !== session.id) {
      throw new Error(`payment ${row.id} holds session ${row.checkoutSessionId}, Stripe returned ${session.id}`);
    }
    return row;
  }

  /**
   * Hold expiry, whenever anything touches the reservation: an unpaid PENDING
   * reservation past its hold becomes EXPIRED and its open session is expired at
   * Stripe (a payment that still lands on it is refunded by the webhook).
   */
  async expireLapsedHold(reservation: Reservation, log: Log, loaders?: Loaders): Promise<Reservation> {
    if (reservation.status !== ReservationStatus.PENDING || !holdLapsed(reservation, new Date())) return reservation;
    const openSessions = await this.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM reservations WHERE id = ${reservation.id} FOR UPDATE`;
      const current = await tx.reservation.findUniqueOrThrow({ where: { id: reservation.id } });
      const attempts = await tx.payment.findMany({ where: { reservationId: current.id } });
      if (current.status !== ReservationStatus.PENDING || attempts.some((a) => isPaid(a.status))) return [];
      await tx.reservation.update({ where: { id: current.id }, data: { status: ReservationStatus.EXPIRED } });
      return attempts.filter((a) => a.status === PaymentAttemptStatus.PENDING && a.checkoutSessionId).map((a) => a.checkoutSessionId!);
    });
    for (const sessionId of openSessions) {
      try {
        const session = await this.stripe.checkout.sessions.retrieve(sessionId);
        if (session.status === 'open') await this.stripe.checkout.sessions.expire(sessionId);
      } catch (err) {
        log.warn({ err, checkoutSessionId: sessionId }, 'could not expire the session of a lapsed hold; it expires by itself');
      }
    }
    loaders?.reservationById.clear(reservation.id);
    return this.prisma.reservation.findUniqueOrThrow({ where: { id: reservation.id } });
  }

  /** Admin listing: newest first, at most 200. */
  list(filter: { status?: Payment['status']; first: number }): Promise<Payment[]> {
    if (filter.first < 1 || filter.first > 200) throw badInput('first', 'must be between 1 and 200');
    return this.prisma.payment.findMany({
      where: filter.status ? { status: filter.status } : {},
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: filter.first,
    });
  }

  /** SPEC paymentStatus: owner or admin. One SQL statement: the reservation with its attempts and their refunds. */
  async status(reservationId: string, user: AuthUser, ctx: Pick<RequestContext, 'loaders' | 'log'>): Promise<PaymentStatus> {
    const { loaders } = ctx;
    ReservationService.assertId(reservationId, 'reservationId');
    const load = () =>
      this.prisma.reservation.findUnique({
        where: { id: reservationId },
        relationLoadStrategy: 'join',
        include: { payments: { orderBy: { attempt: 'desc' }, include: { refunds: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] } } } },
      });
    let found = await load();
    if (!found) throw notFound('Reservation', reservationId);
    assertOwnerOrAdmin(user, found.guestId);
    if (found.status === ReservationStatus.PENDING && holdLapsed(found, new Date())) {
      await this.expireLapsedHold(found, ctx.log, loaders);
      found = (await load())!;
    }
    const { payments: attempts, ...reservation } = found;
    // the field resolvers (Payment.refunds, Payment.reservation) read these instead of querying again
    loaders.reservationById.clear(reservation.id).prime(reservation.id, reservation);
    loaders.paymentsByReservationId.clear(reservation.id).prime(reservation.id, attempts);
    for (const attempt of attempts) loaders.refundsByPaymentId.clear(attempt.id).prime(attempt.id, attempt.refunds);
    const refundLists = await Promise.all(attempts.map((a) => loaders.refundsByPaymentId.load(a.id)));
    const refunds = refundLists.flat();
    const paid = attempts.filter((a) => isPaid(a.status));
    const now = new Date();
    return {
      reservation,
      state: overallState(reservation, attempts),
      attempts: attempts as never,
      attemptCount: attempts.length,
      attemptsRemaining: Math.max(0, MAX_ATTEMPTS - attempts.length),
      canRetry: attempts.length > 0 && newAttemptBlocker(reservation, attempts, now) === null,
      amountPaid: paid.reduce((sum, a) => sum + a.amount, 0),
      amountRefunded: refundedTotal(refunds),
      refunds,
    };
  }
}

export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

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
