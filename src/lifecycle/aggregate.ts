/**
 * A reservation with its attempts and their refunds, read under the
 * reservation's row lock. The reservation is the aggregate root: every change to
 * it, its attempts or their refunds happens under this one lock, always taken
 * first, so concurrent requests, webhooks and jobs serialize per reservation and
 * never deadlock on each other's rows. The attempts and refunds are read after
 * the lock is held, so they are what the last holder committed.
 */
import type { Aggregate } from './booking-rules';
import type { Work } from './work';

export type { Aggregate } from './booking-rules';

export async function lockAggregate(work: Pick<Work, 'store'>, reservationId: string): Promise<Aggregate | null> {
  const reservation = await work.store.lockReservation(reservationId);
  if (!reservation) return null;
  const { attempts, refunds } = await work.store.attemptsAndRefunds(reservationId);
  return { reservation, attempts, refunds };
}

/** The aggregate an attempt belongs to (its reservation never changes, so it is read before the lock). */
export async function lockAggregateOfAttempt(work: Pick<Work, 'store'>, paymentId: string): Promise<Aggregate | null> {
  const ref = await work.store.attemptRef('id', paymentId);
  return ref ? lockAggregate(work, ref.reservationId) : null;
}
