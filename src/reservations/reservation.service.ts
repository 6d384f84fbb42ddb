import { assertOwnerOrAdmin, inCallersOrg } from '../auth/access';
import { type Caller, causeOf } from '../auth/caller';
import type { Clock } from '../common/clock';
import type { AuthUser } from '../auth/user';
import { CURRENCY } from '../common/money';
import type { Reservation } from '../db';
import type { UnitOfWork } from '../lifecycle/work';
import type { Loaders } from '../db';
import { badInput, notFound } from '../errors';
import { RESERVATION_ID_PATTERN, newReservationId } from './reservation-id';
import type { CreateReservationInput } from './reservation.input';

export const HOLD_MS = 24 * 3600 * 1000;

/** Check-in may be up to a day in the past (a booking recorded late, time zones), never more. */
const CHECK_IN_GRACE_MS = 24 * 3600 * 1000;

export class ReservationService {
  constructor(
    private readonly work: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  /** A new PENDING reservation on hold, and its audit entry, in one transaction. */
  async create(input: CreateReservationInput, caller: Caller): Promise<Reservation> {
    const now = this.clock.now();
    if (input.checkIn.getTime() < now.getTime() - CHECK_IN_GRACE_MS) throw badInput('input.checkIn', 'must not be in the past');
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.work.run(causeOf(caller), caller.log, async (work) => {
          const reservation = await work.store.insertReservation({
            id: newReservationId(work.now),
            orgId: caller.user.orgId,
            guestId: input.guestId,
            description: input.description,
            checkIn: input.checkIn,
            checkOut: input.checkOut,
            amount: input.amount,
            currency: input.currency ?? CURRENCY,
            holdExpiresAt: new Date(work.now.getTime() + HOLD_MS),
            createdAt: work.now,
          });
          work.audit.push({
            action: 'reservation.created',
            targetType: 'reservation',
            targetId: reservation.id,
            reservationId: reservation.id,
            after: reservation.status,
            amount: reservation.amount,
          });
          return reservation;
        });
      } catch (err) {
        // a random id already taken (unique violation): another id
        const idTaken = (err as { code?: string }).code === '23505';
        if (!idTaken || attempt >= 3) throw err;
      }
    }
  }

  static assertId(id: string, field = 'id'): void {
    if (!RESERVATION_ID_PATTERN.test(id)) throw badInput(field, 'is not a reservation id (RES-YYYY-XXXXXX)');
  }

  /** The reservation if it exists and the caller may see it; null when it does not exist. */
  async findForUser(id: string, user: AuthUser, loaders: Loaders): Promise<Reservation | null> {
    ReservationService.assertId(id);
    const reservation = await loaders.reservationById.load(id);
    if (!reservation || !inCallersOrg(user, reservation)) return null;
    assertOwnerOrAdmin(user, reservation, { type: 'Reservation', id });
    return reservation;
  }

  /** Like findForUser, but a missing reservation is NOT_FOUND (for operations that need one). */
  async getForUser(id: string, user: AuthUser, loaders: Loaders, field = 'reservationId'): Promise<Reservation> {
    ReservationService.assertId(id, field);
    const reservation = await loaders.reservationById.load(id);
    if (!reservation) throw notFound('Reservation', id);
    assertOwnerOrAdmin(user, reservation, { type: 'Reservation', id });
    return reservation;
  }
}
