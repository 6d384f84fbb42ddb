import type { AuthChecker } from 'type-graphql';
import type { RequestContext } from '../http/request-context';

/** @Authorized() needs a user; @Authorized('ADMIN') needs that role. Ownership is checked by the services. */
export const authChecker: AuthChecker<RequestContext> = ({ context }, roles) => {
  if (!context.user) return false;
  return roles.length === 0 || roles.includes(context.user.role);
};
