import { forbidden, notFound, tokenRequired } from '../errors';
import { isAdmin, type AuthUser } from './user';

export function requireUser(user: AuthUser | null): AuthUser {
  if (!user) throw tokenRequired();
  return user;
}

/** What a reservation, and everything that hangs off it, says of who may touch it. */
export interface Owned {
  guestId: string;
  orgId: string;
}

/**
 * The organization rule, for every read and write of a reservation and what hangs
 * off it (attempts, refunds, live status): another organization's object does
 * not exist for the caller. Objects are scoped by their reservation's `org_id`,
 * which is set from the creator's token and never changes.
 */
export const inCallersOrg = (user: AuthUser, owned: Owned) => owned.orgId === user.orgId;

/**
 * The one access rule: another organization's object is NOT_FOUND (its existence
 * is not revealed); within the organization, its guest or an admin.
 */
export function assertOwnerOrAdmin(user: AuthUser, owned: Owned, target: { type: 'Reservation' | 'Payment'; id: string }): void {
  if (!inCallersOrg(user, owned)) throw notFound(target.type, target.id);
  if (!isAdmin(user) && user.id !== owned.guestId) throw forbidden(`This ${target.type.toLowerCase()} belongs to another guest`);
}
