/**
 * Who is asking, as the services see it: the verified user, the request's
 * correlation id and a logger bound to it. Built by the resolvers from the HTTP
 * request context; nothing below them knows of HTTP.
 */
import type { Log } from '../common/log';
import type { Cause } from '../lifecycle/work';
import type { AuthUser } from './user';

export interface Caller {
  user: AuthUser;
  requestId: string;
  log: Log;
  /** where the call came from (the audit trail's API entries) */
  ip?: string;
  userAgent?: string;
}

export const causeOf = (caller: Caller): Cause => ({
  source: 'API',
  actorId: caller.user.id,
  actorRole: caller.user.role,
  requestId: caller.requestId,
  orgId: caller.user.orgId,
  ...(caller.ip !== undefined ? { ip: caller.ip } : {}),
  ...(caller.userAgent !== undefined ? { userAgent: caller.userAgent } : {}),
});
