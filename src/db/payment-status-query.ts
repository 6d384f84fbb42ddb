/**
 * The hot read behind paymentStatus (and every live-status delivery): the
 * reservations asked for, each with its attempts (newest first) and their
 * refunds (oldest first), in one prepared statement on the pool. A flat join
 * rather than nested JSON: with at most three attempts and a few refunds per
 * reservation it returns a handful of rows, and PostgreSQL builds no JSON (the
 * JSONB aggregation Prisma generates for `include` cost most of the statement's
 * CPU). Rows come back as arrays and are shaped here into Prisma's row types.
 */
import type { Payment, Refund, Reservation } from './generated/client';
import type { Sql } from './sql';
import { statement } from './sql';

export type ReservationWithAttempts = Reservation & { payments: Array<Payment & { refunds: Refund[] }> };

export const PAYMENT_STATUS_STATEMENT = statement(
  'payment-status',
  `SELECT r.id, r.guest_id, r.description, r.check_in, r.check_out, r.amount, r.currency, r.status, r.hold_expires_at, r.created_at, r.updated_at,
          p.id, p.attempt, p.status, p.amount, p.currency, p.refunded_amount, p.checkout_session_id, p.payment_intent_id, p.checkout_url,
          p.expires_at, p.failure_code, p.failure_message, p.disputed, p.idempotency_key, p.created_at, p.updated_at,
          f.id, f.amount, f.currency, f.status, f.reason, f.policy, f.stripe_refund_id, f.requested_by, f.idempotency_key,
          f.failure_reason, f.uncertain_since, f.created_at, f.updated_at, r.org_id
   FROM reservations r
   LEFT JOIN payments p ON p.reservation_id = r.id
   LEFT JOIN refunds f ON f.payment_id = p.id
   WHERE r.id = ANY($1::varchar[])
   ORDER BY r.id, p.attempt DESC, f.created_at, f.id`,
);

type Cell = string | number | boolean | Date | null;

/** The statement's rows, shaped; one entry per id asked for (null: no such reservation). */
export async function loadPaymentStatuses(sql: Sql, ids: readonly string[]): Promise<Array<ReservationWithAttempts | null>> {
  const rows = await sql.arrays<Cell[]>(PAYMENT_STATUS_STATEMENT, [ids]);
  const byId = new Map<string, ReservationWithAttempts>();
  let reservation: ReservationWithAttempts | undefined;
  let attempt: (Payment & { refunds: Refund[] }) | undefined;
  for (const c of rows) {
    if (reservation?.id !== c[0]) {
      reservation = {
        id: c[0] as string,
        guestId: c[1] as string,
        description: c[2] as string,
        checkIn: c[3] as Date,
        checkOut: c[4] as Date,
        amount: c[5] as number,
        currency: c[6] as string,
        status: c[7] as Reservation['status'],
        holdExpiresAt: c[8] as Date,
        createdAt: c[9] as Date,
        updatedAt: c[10] as Date,
        orgId: c[40] as string,
        payments: [],
      };
      byId.set(reservation.id, reservation);
      attempt = undefined;
    }
    if (c[11] !== null && attempt?.id !== c[11]) {
      attempt = {
        id: c[11] as string,
        reservationId: reservation.id,
        attempt: c[12] as number,
        status: c[13] as Payment['status'],
        amount: c[14] as number,
        currency: c[15] as string,
        refundedAmount: c[16] as number,
        checkoutSessionId: c[17] as string | null,
        paymentIntentId: c[18] as string | null,
        checkoutUrl: c[19] as string | null,
        expiresAt: c[20] as Date | null,
        failureCode: c[21] as string | null,
        failureMessage: c[22] as string | null,
        disputed: c[23] as boolean,
        idempotencyKey: c[24] as string,
        createdAt: c[25] as Date,
        updatedAt: c[26] as Date,
        refunds: [],
      };
      reservation.payments.push(attempt);
    }
    if (attempt && c[27] !== null) {
      attempt.refunds.push({
        id: c[27] as string,
        paymentId: attempt.id,
        amount: c[28] as number,
        currency: c[29] as string,
        status: c[30] as Refund['status'],
        reason: c[31] as string | null,
        policy: c[32] as string | null,
        stripeRefundId: c[33] as string | null,
        requestedBy: c[34] as string | null,
        idempotencyKey: c[35] as string | null,
        failureReason: c[36] as string | null,
        uncertainSince: c[37] as Date | null,
        createdAt: c[38] as Date,
        updatedAt: c[39] as Date,
      });
    }
  }
  return ids.map((id) => byId.get(id) ?? null);
}
