/**
 * Per-request DataLoaders for related rows: a page of N payments costs one
 * query per relation, not N. Created fresh for each GraphQL request so nothing
 * is cached across requests (or users).
 */
import DataLoader from 'dataloader';
import type { Database } from './database';
import type { Payment, Refund, Reservation } from './generated/client';
import { loadPaymentStatuses, type ReservationWithAttempts } from './payment-status-query';
import { statement } from './sql';
import { columns } from './store';

export type { ReservationWithAttempts } from './payment-status-query';

export interface Loaders {
  /**
   * paymentStatus's one read, batched: every status of one loader set (a request, or
   * one change notice fanned out to all its subscribers) shares one SQL statement
   */
  reservationWithAttempts: DataLoader<string, ReservationWithAttempts | null>;
  reservationById: DataLoader<string, Reservation | null>;
  /** attempts of a reservation, newest first */
  paymentsByReservationId: DataLoader<string, Payment[]>;
  /** refunds of a payment, oldest first */
  refundsByPaymentId: DataLoader<string, Refund[]>;
}

function groupBy<T>(rows: T[], keys: readonly string[], keyOf: (row: T) => string): T[][] {
  const groups = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((k) => groups.get(k) ?? []);
}

// the loaders' batched reads: one prepared statement per relation, whatever the batch
const RESERVATIONS_BY_ID = statement('reservations-by-id', `SELECT ${columns.reservation()} FROM reservations WHERE id = ANY($1::varchar[])`);
const PAYMENTS_BY_RESERVATION = statement(
  'payments-by-reservation',
  `SELECT ${columns.payment()} FROM payments WHERE reservation_id = ANY($1::varchar[]) ORDER BY attempt DESC`,
);
const REFUNDS_BY_PAYMENT = statement(
  'refunds-by-payment',
  `SELECT ${columns.refund()} FROM refunds WHERE payment_id = ANY($1::uuid[]) ORDER BY created_at, id`,
);

export function createLoaders(db: Pick<Database, 'pool' | 'sqlOn'>): Loaders {
  const sql = db.sqlOn(db.pool);
  return {
    reservationWithAttempts: new DataLoader((ids) => loadPaymentStatuses(sql, ids)),
    reservationById: new DataLoader(async (ids) => {
      const rows = await sql.rows<Reservation>(RESERVATIONS_BY_ID, [ids]);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    paymentsByReservationId: new DataLoader(async (ids) => groupBy(await sql.rows<Payment>(PAYMENTS_BY_RESERVATION, [ids]), ids, (p) => p.reservationId)),
    refundsByPaymentId: new DataLoader(async (ids) => groupBy(await sql.rows<Refund>(REFUNDS_BY_PAYMENT, [ids]), ids, (r) => r.paymentId)),
  };
}
