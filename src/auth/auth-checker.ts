import type { AuthChecker } from 'type-graphql';
import { tokenRequired } from '../errors';
import type { RequestContext } from '../http/request-context';

/**
 * @Authorized() needs a user; @Authorized('ADMIN') needs that role. No token at
 * all is UNAUTHENTICATED whatever the role asked (not FORBIDDEN: the caller has
 * not said who it is yet). Ownership is checked by the services.
 */
export const authChecker: AuthChecker<RequestContext> = ({ context }, roles) => {
  if (!context.user) throw tokenRequired();
  return roles.length === 0 || roles.includes(context.user.role);
};
