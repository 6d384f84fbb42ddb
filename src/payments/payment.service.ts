/**
 * Where a reservation's payment stands (paymentStatus), and the admin listing of
 * attempts. A read that finds an unpaid reservation past its hold expires it on
 * the way (through the transition authority), so clients never see a payable
 * state that is not.
 */
import { orgScope } from '../db/org-scope';
import { assertOwnerOrAdmin } from '../auth/access';
import type { Caller } from '../auth/caller';
import { causeOf } from '../auth/caller';
import type { Clock } from '../common/clock';
import type { Loaders, Payment, PrismaClient } from '../db';
import { ReservationStatus } from '../db';
import { badInput, notFound } from '../errors';
import { lockAggregate } from '../lifecycle/aggregate';
import type { TransitionAuthority } from '../lifecycle/transition-authority';
import type { Cause, UnitOfWork } from '../lifecycle/work';
import type { Log } from '../common/log';
import { ReservationService } from '../reservations/reservation.service';
import { MAX_ATTEMPTS, holdLapsed, isPaid, newAttemptBlocker, overallState, refundedTotal } from './payment-rules';
import type { PaymentStatus } from './payment.type';

export class PaymentService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly work: UnitOfWork,
    private readonly authority: TransitionAuthority,
    private readonly clock: Clock,
  ) {}

  /** Admin listing: newest first, at most 200. */
  list(orgId: string, filter: { status?: Payment['status']; first: number }): Promise<Payment[]> {
    if (filter.first < 1 || filter.first > 200) throw badInput('first', 'must be between 1 and 200');
    return this.prisma.payment.findMany({
      where: { AND: [orgScope.payments(orgId), filter.status ? { status: filter.status } : {}] },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: filter.first,
    });
  }

  /** Expires the reservation's hold if it has lapsed unpaid (and its open sessions at Stripe, after the commit). */
  async expireLapsedHold(reservationId: string, cause: Cause, log: Log): Promise<boolean> {
    return this.work.run(cause, log, async (work) => {
      const aggregate = await lockAggregate(work, reservationId);
      return aggregate ? this.authority.expireHold(work, aggregate) : false;
    });
  }

  /**
   * SPEC paymentStatus: owner or admin. One SQL statement: the reservation with its
   * attempts and their refunds, through the loaders (the live subscription fans one
   * change out to many subscribers with one loader set, hence one read).
   */
  async status(reservationId: string, caller: Caller, loaders: Loaders): Promise<PaymentStatus> {
    ReservationService.assertId(reservationId, 'reservationId');
    let found = await loaders.reservationWithAttempts.load(reservationId);
    if (!found) throw notFound('Reservation', reservationId);
    assertOwnerOrAdmin(caller.user, found, { type: 'Reservation', id: reservationId });
    const now = this.clock.now();
    if (found.status === ReservationStatus.PENDING && holdLapsed(found, now)) {
      await this.expireLapsedHold(reservationId, causeOf(caller), caller.log);
      found = (await loaders.reservationWithAttempts.clear(reservationId).load(reservationId))!;
    }
    const { payments: attempts, ...reservation } = found;
    // the field resolvers (Payment.refunds, Payment.reservation) read these instead of querying again
    loaders.reservationById.clear(reservation.id).prime(reservation.id, reservation);
    loaders.paymentsByReservationId.clear(reservation.id).prime(reservation.id, attempts);
    for (const attempt of attempts) loaders.refundsByPaymentId.clear(attempt.id).prime(attempt.id, attempt.refunds);
    const refunds = attempts.flatMap((a) => a.refunds);
    const paid = attempts.filter((a) => isPaid(a.status));
    return {
      reservation,
      state: overallState(reservation, attempts),
      attempts,
      attemptCount: attempts.length,
      attemptsRemaining: Math.max(0, MAX_ATTEMPTS - attempts.length),
      canRetry: attempts.length > 0 && newAttemptBlocker(reservation, attempts, now) === null,
      amountPaid: paid.reduce((sum, a) => sum + a.amount, 0),
      amountRefunded: refundedTotal(refunds),
      refunds,
    };
  }
}
