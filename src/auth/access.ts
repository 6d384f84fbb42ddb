import { forbidden, tokenRequired } from '../errors';
import { isAdmin, type AuthUser } from './user';

export function requireUser(user: AuthUser | null): AuthUser {
  if (!user) throw tokenRequired();
  return user;
}

/** Every operation on a reservation is for its owner or an admin. */
export function assertOwnerOrAdmin(user: AuthUser, ownerId: string, what = 'reservation'): void {
  if (!isAdmin(user) && user.id !== ownerId) throw forbidden(`This ${what} belongs to another guest`);
}
