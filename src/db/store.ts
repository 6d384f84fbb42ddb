/**
 * The statements units of work run (src/lifecycle/work.ts), on the one
 * connection of their transaction: reading a reservation's aggregate under its
 * lock, inserting claims, recording what Stripe said, webhook events and
 * idempotency keys. None of them writes a `status` column: those statements
 * belong to the transition authority (src/lifecycle/transition-authority.ts).
 */
import type { Payment, Refund, Reservation } from './generated/client';
import { Sql, statement } from './sql';

/** The columns of each table as Prisma's row types name them. */
export const columns = {
  reservation: (t = 'reservations') =>
    `${t}.id, ${t}.org_id AS "orgId", ${t}.guest_id AS "guestId", ${t}.description, ${t}.check_in AS "checkIn", ${t}.check_out AS "checkOut", ${t}.amount, ${t}.currency, ${t}.status, ${t}.hold_expires_at AS "holdExpiresAt", ${t}.created_at AS "createdAt", ${t}.updated_at AS "updatedAt"`,
  payment: (t = 'payments') =>
    `${t}.id, ${t}.reservation_id AS "reservationId", ${t}.attempt, ${t}.status, ${t}.amount, ${t}.currency, ${t}.refunded_amount AS "refundedAmount", ${t}.checkout_session_id AS "checkoutSessionId", ${t}.payment_intent_id AS "paymentIntentId", ${t}.checkout_url AS "checkoutUrl", ${t}.expires_at AS "expiresAt", ${t}.failure_code AS "failureCode", ${t}.failure_message AS "failureMessage", ${t}.disputed, ${t}.idempotency_key AS "idempotencyKey", ${t}.created_at AS "createdAt", ${t}.updated_at AS "updatedAt"`,
  refund: (t = 'refunds') =>
    `${t}.id, ${t}.payment_id AS "paymentId", ${t}.amount, ${t}.currency, ${t}.status, ${t}.reason, ${t}.policy, ${t}.stripe_refund_id AS "stripeRefundId", ${t}.requested_by AS "requestedBy", ${t}.idempotency_key AS "idempotencyKey", ${t}.failure_reason AS "failureReason", ${t}.uncertain_since AS "uncertainSince", ${t}.created_at AS "createdAt", ${t}.updated_at AS "updatedAt"`,
};

const INSERT_RESERVATION = statement(
  'insert-reservation',
  `INSERT INTO reservations (id, guest_id, description, check_in, check_out, amount, currency, hold_expires_at, created_at, updated_at, org_id)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) RETURNING ${columns.reservation()}`,
);
const LOCK_RESERVATION = statement('lock-reservation', `SELECT ${columns.reservation()} FROM reservations WHERE id = $1 FOR UPDATE`);
// a reservation's attempts, each with its refunds as JSON: one statement, read after the reservation's lock is held
const ATTEMPTS_WITH_REFUNDS = statement(
  'attempts-with-refunds',
  `SELECT ${columns.payment('p')},
     (SELECT coalesce(json_agg(json_build_object(
        'id', f.id, 'paymentId', f.payment_id, 'amount', f.amount, 'currency', f.currency, 'status', f.status, 'reason', f.reason,
        'policy', f.policy, 'stripeRefundId', f.stripe_refund_id, 'requestedBy', f.requested_by, 'idempotencyKey', f.idempotency_key,
        'failureReason', f.failure_reason, 'uncertainSince', f.uncertain_since, 'createdAt', f.created_at, 'updatedAt', f.updated_at)
        ORDER BY f.created_at, f.id), '[]')
      FROM refunds f WHERE f.payment_id = p.id) AS "refunds"
   FROM payments p WHERE p.reservation_id = $1 ORDER BY p.attempt DESC`,
);

type RefundJson = Omit<Refund, 'createdAt' | 'updatedAt' | 'uncertainSince'> & { createdAt: string; updatedAt: string; uncertainSince: string | null };
const refundFromJson = (r: RefundJson): Refund => ({
  ...r,
  createdAt: new Date(r.createdAt),
  updatedAt: new Date(r.updatedAt),
  uncertainSince: r.uncertainSince === null ? null : new Date(r.uncertainSince),
});
const ATTEMPT_REF_BY_ID = statement('attempt-ref-by-id', `SELECT id, reservation_id AS "reservationId", checkout_session_id AS "checkoutSessionId" FROM payments WHERE id = $1`);
const ATTEMPT_REF_BY_SESSION = statement('attempt-ref-by-session', `SELECT id, reservation_id AS "reservationId", checkout_session_id AS "checkoutSessionId" FROM payments WHERE checkout_session_id = $1`);
const ATTEMPT_REF_BY_INTENT = statement('attempt-ref-by-intent', `SELECT id, reservation_id AS "reservationId", checkout_session_id AS "checkoutSessionId" FROM payments WHERE payment_intent_id = $1`);
const REFUND_BY_STRIPE_ID = statement('refund-by-stripe-id', `SELECT payment_id AS "paymentId" FROM refunds WHERE stripe_refund_id = $1`);
const INSERT_ATTEMPT = statement(
  'insert-attempt',
  `INSERT INTO payments (id, reservation_id, attempt, amount, currency, expires_at, idempotency_key, created_at, updated_at)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING ${columns.payment()}`,
);
const DELETE_ATTEMPT = statement('delete-attempt', 'DELETE FROM payments WHERE id = $1');
const UPDATE_ATTEMPT_DETAILS = statement(
  'update-attempt-details',
  `UPDATE payments SET checkout_session_id = $2, payment_intent_id = $3, failure_code = $4, failure_message = $5, disputed = $6, updated_at = $7
   WHERE id = $1 RETURNING ${columns.payment()}`,
);
const INSERT_REFUND = statement(
  'insert-refund',
  `INSERT INTO refunds (id, payment_id, amount, currency, reason, policy, requested_by, idempotency_key, created_at, updated_at)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING ${columns.refund()}`,
);
const DELETE_REFUND = statement('delete-refund', 'DELETE FROM refunds WHERE id = $1');
const ADVISORY_LOCK = statement('advisory-xact-lock', 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))');
const GET_KEY = statement(
  'get-idempotency-key',
  `SELECT scope, key, request, refund_id AS "refundId", tries, created_at AS "createdAt" FROM idempotency_keys WHERE scope = $1 AND key = $2`,
);
const UPSERT_KEY = statement(
  'upsert-idempotency-key',
  `INSERT INTO idempotency_keys (scope, key, request, refund_id, tries, created_at) VALUES ($1, $2, $3, $4, $5, $6)
   ON CONFLICT (scope, key) DO UPDATE SET refund_id = EXCLUDED.refund_id, tries = EXCLUDED.tries`,
);
const DELETE_KEYS_OF_REFUND = statement('delete-keys-of-refund', 'DELETE FROM idempotency_keys WHERE refund_id = $1');
const CLAIM_EVENT = statement(
  'claim-event',
  `SELECT id, type, payload, attempts, received_at AS "receivedAt", processed_at AS "processedAt" FROM webhook_events WHERE id = $1 FOR UPDATE`,
);
const TRY_CLAIM_EVENT = statement(
  'try-claim-event',
  `SELECT id, type, payload, attempts, received_at AS "receivedAt", processed_at AS "processedAt" FROM webhook_events WHERE id = $1 FOR UPDATE SKIP LOCKED`,
);

export interface AttemptRef {
  id: string;
  reservationId: string;
  checkoutSessionId: string | null;
}

export interface IdempotencyKeyRow {
  scope: string;
  key: string;
  request: unknown;
  refundId: string | null;
  tries: number;
  createdAt: Date;
}

export interface ClaimedEvent {
  id: string;
  type: string;
  /** the event as Stripe sent it */
  payload: unknown;
  attempts: number;
  receivedAt: Date;
  processedAt?: Date | null;
}

/** The statements of one transaction (a unit of work's connection). */
export class TxStore {
  constructor(readonly sql: Sql) {}

  insertReservation(r: {
    id: string;
    orgId: string;
    guestId: string;
    description: string;
    checkIn: Date;
    checkOut: Date;
    amount: number;
    currency: string;
    holdExpiresAt: Date;
    createdAt: Date;
  }): Promise<Reservation> {
    return this.sql.one<Reservation>(INSERT_RESERVATION, [r.id, r.guestId, r.description, r.checkIn, r.checkOut, r.amount, r.currency, r.holdExpiresAt, r.createdAt, r.orgId]);
  }

  lockReservation(id: string): Promise<Reservation | null> {
    return this.sql.first<Reservation>(LOCK_RESERVATION, [id]);
  }

  /** A reservation's attempts (newest first) and all their refunds (oldest first), in one statement. */
  async attemptsAndRefunds(reservationId: string): Promise<{ attempts: Payment[]; refunds: Refund[] }> {
    const rows = await this.sql.rows<Payment & { refunds: RefundJson[] }>(ATTEMPTS_WITH_REFUNDS, [reservationId]);
    const attempts: Payment[] = [];
    const refunds: Refund[] = [];
    for (const { refunds: ofAttempt, ...attempt } of rows) {
      attempts.push(attempt);
      for (const r of ofAttempt) refunds.push(refundFromJson(r));
    }
    refunds.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { attempts, refunds };
  }

  attemptRef(by: 'id' | 'session' | 'intent', value: string): Promise<AttemptRef | null> {
    return this.sql.first<AttemptRef>(by === 'id' ? ATTEMPT_REF_BY_ID : by === 'session' ? ATTEMPT_REF_BY_SESSION : ATTEMPT_REF_BY_INTENT, [value]);
  }

  async paymentOfStripeRefund(stripeRefundId: string): Promise<string | null> {
    return (await this.sql.first<{ paymentId: string }>(REFUND_BY_STRIPE_ID, [stripeRefundId]))?.paymentId ?? null;
  }

  insertAttempt(a: { id: string; reservationId: string; attempt: number; amount: number; currency: string; expiresAt: Date; idempotencyKey: string; at: Date }): Promise<Payment> {
    return this.sql.one<Payment>(INSERT_ATTEMPT, [a.id, a.reservationId, a.attempt, a.amount, a.currency, a.expiresAt, a.idempotencyKey, a.at]);
  }

  async deleteAttempt(id: string): Promise<void> {
    await this.sql.run(DELETE_ATTEMPT, [id]);
  }

  /** Everything of an attempt but its status and amounts: ids Stripe gave, the last failure, the dispute flag. */
  updateAttemptDetails(attempt: Payment, at: Date): Promise<Payment> {
    return this.sql.one<Payment>(UPDATE_ATTEMPT_DETAILS, [
      attempt.id,
      attempt.checkoutSessionId,
      attempt.paymentIntentId,
      attempt.failureCode,
      attempt.failureMessage,
      attempt.disputed,
      at,
    ]);
  }

  insertRefund(r: {
    id: string;
    paymentId: string;
    amount: number;
    currency: string;
    reason: string | null;
    policy: string;
    requestedBy: string | null;
    idempotencyKey: string | null;
    createdAt: Date;
  }): Promise<Refund> {
    return this.sql.one<Refund>(INSERT_REFUND, [r.id, r.paymentId, r.amount, r.currency, r.reason, r.policy, r.requestedBy, r.idempotencyKey, r.createdAt]);
  }

  async deleteRefund(id: string): Promise<void> {
    await this.sql.run(DELETE_REFUND, [id]);
  }

  /** Serializes everything holding the same key until the transaction ends. */
  async advisoryLock(key: string): Promise<void> {
    await this.sql.run(ADVISORY_LOCK, [key]);
  }

  idempotencyKey(scope: string, key: string): Promise<IdempotencyKeyRow | null> {
    return this.sql.first<IdempotencyKeyRow>(GET_KEY, [scope, key]);
  }

  async saveIdempotencyKey(row: { scope: string; key: string; request: unknown; refundId: string; tries: number; createdAt: Date }): Promise<void> {
    await this.sql.run(UPSERT_KEY, [row.scope, row.key, JSON.stringify(row.request), row.refundId, row.tries, row.createdAt]);
  }

  async deleteIdempotencyKeysOfRefund(refundId: string): Promise<void> {
    await this.sql.run(DELETE_KEYS_OF_REFUND, [refundId]);
  }

  /** An event, locked until this transaction ends; null when another worker holds it (or it does not exist). */
  tryClaimEvent(id: string): Promise<ClaimedEvent | null> {
    return this.sql.first<ClaimedEvent>(TRY_CLAIM_EVENT, [id]);
  }

  /** One event, locked (a concurrent worker on it is waited for). */
  claimEvent(id: string): Promise<ClaimedEvent | null> {
    return this.sql.first<ClaimedEvent>(CLAIM_EVENT, [id]);
  }

  /** The event's row marked processed, sent with the COMMIT (nothing reads its result). */
  markEventProcessedAtCommit(
    atCommit: string[],
    id: string,
    at: Date,
    result: 'PROCESSED' | 'IGNORED',
    link: { reservationId: string; paymentId: string } | null,
  ): void {
    const l = (v: string | Date | null) => this.sql.literal(v);
    atCommit.push(
      `UPDATE webhook_events SET processed_at = ${l(at)}, result = ${l(result)}, error = NULL, reservation_id = ${l(link?.reservationId ?? null)}, payment_id = ${l(link?.paymentId ?? null)}::uuid WHERE id = ${l(id)}`,
    );
  }
}
