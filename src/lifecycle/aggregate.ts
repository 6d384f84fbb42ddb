/**
 * A reservation with its attempts and their refunds, read under the
 * reservation's row lock. The reservation is the aggregate root: every change to
 * it, its attempts or their refunds happens under this one lock, always taken
 * first, so concurrent requests, webhooks and jobs serialize per reservation and
 * never deadlock on each other's rows.
 */
import type { Aggregate } from './booking-rules';
import type { Tx } from './work';

export type { Aggregate } from './booking-rules';

export async function lockAggregate(tx: Tx, reservationId: string): Promise<Aggregate | null> {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM reservations WHERE id = ${reservationId} FOR UPDATE`;
  if (!locked.length) return null;
  const reservation = await tx.reservation.findUniqueOrThrow({ where: { id: reservationId } });
  const attempts = await tx.payment.findMany({ where: { reservationId }, orderBy: { attempt: 'desc' } });
  const refunds = attempts.length
    ? await tx.refund.findMany({
        where: { paymentId: { in: attempts.map((a) => a.id) } },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      })
    : [];
  return { reservation, attempts, refunds };
}

/** The aggregate an attempt belongs to (its reservation never changes, so it is read before the lock). */
export async function lockAggregateOfAttempt(tx: Tx, paymentId: string): Promise<Aggregate | null> {
  const payment = await tx.payment.findUnique({ where: { id: paymentId }, select: { reservationId: true } });
  return payment ? lockAggregate(tx, payment.reservationId) : null;
}
