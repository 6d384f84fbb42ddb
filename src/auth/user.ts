export const ROLES = ['GUEST', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

/** A token without an `org` claim belongs to this organization (single-property deployments). */
export const DEFAULT_ORG = 'default';

/** What an organization id may be: it is compared, stored and put in Stripe metadata. */
export const ORG_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The caller, from a verified bearer token. */
export interface AuthUser {
  id: string;
  role: Role;
  /** the organization the caller acts within (token claim `org`) */
  orgId: string;
}

/** Who a token is signed for (development and test tokens): no `org`, the default one. */
export type TokenSubject = Omit<AuthUser, 'orgId'> & { orgId?: string };

export const isAdmin = (user: AuthUser) => user.role === 'ADMIN';
