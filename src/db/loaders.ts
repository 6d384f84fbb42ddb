/**
 * Per-request DataLoaders for related rows: a page of N payments costs one
 * query per relation, not N. Created fresh for each GraphQL request so nothing
 * is cached across requests (or users).
 */
import DataLoader from 'dataloader';
import type { Database } from './database';
import type { Payment, Refund, Reservation } from './generated/client';
import { loadPaymentStatuses, type ReservationWithAttempts } from './payment-status-query';

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

export function createLoaders(db: Pick<Database, 'prisma' | 'pool' | 'sqlOn'>): Loaders {
  const { prisma } = db;
  const sql = db.sqlOn(db.pool);
  return {
    reservationWithAttempts: new DataLoader((ids) => loadPaymentStatuses(sql, ids)),
    reservationById: new DataLoader(async (ids) => {
      const rows = await prisma.reservation.findMany({ where: { id: { in: [...ids] } } });
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    paymentsByReservationId: new DataLoader(async (ids) => {
      const rows = await prisma.payment.findMany({
        where: { reservationId: { in: [...ids] } },
        orderBy: { attempt: 'desc' },
      });
      return groupBy(rows, ids, (p) => p.reservationId);
    }),
    refundsByPaymentId: new DataLoader(async (ids) => {
      const rows = await prisma.refund.findMany({
        where: { paymentId: { in: [...ids] } },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      });
      return groupBy(rows, ids, (r) => r.paymentId);
    }),
  };
}
