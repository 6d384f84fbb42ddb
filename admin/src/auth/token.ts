/**
 * What a bearer token says about itself. Read without checking the signature,
 * only to word messages and to sign out when it expires: the service decides
 * what a token may do (every request carries it and is checked there).
 */
export interface TokenClaims {
  sub: string | null;
  role: string | null;
  /** seconds since the epoch */
  exp: number | null;
  /** the organization (SPEC's organizations; absent: the default one) */
  org: string | null;
}

/** The token as pasted, without a "Bearer " prefix or surrounding spaces. */
export const cleanToken = (text: string) => text.trim().replace(/^Bearer\s+/i, '').trim();

export function readClaims(token: string): TokenClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(parts[1].length / 4) * 4, '='));
    const payload = JSON.parse(json) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' ? value : null);
    return { sub: text(payload.sub), role: text(payload.role), exp: typeof payload.exp === 'number' ? payload.exp : null, org: text(payload.org) };
  } catch {
    return null;
  }
}
