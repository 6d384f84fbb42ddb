export const ROLES = ['GUEST', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

/** The caller, from a verified bearer token. */
export interface AuthUser {
  id: string;
  role: Role;
}

export const isAdmin = (user: AuthUser) => user.role === 'ADMIN';
