/**
 * Bearer JWTs verified with jose: HS256 with JWT_SECRET, or any asymmetric key
 * from a JWKS URL (JWT_JWKS_URL). Claims: `sub` (user id), `role` (GUEST | ADMIN) and
 * `org` (the organization; absent: `default`).
 *
 * A token must expire: `exp` is required, and may lie at most
 * JWT_MAX_LIFETIME_SECONDS after `iat` (or after now, when there is no `iat`),
 * so a leaked token is worth a day at most. `nbf` and `iat` are honoured with
 * JWT_CLOCK_SKEW_SECONDS of tolerance for the issuer's clock.
 *
 * A verified token is remembered (bounded, by its exact text) until its `exp`:
 * a front end sends the same token with every request, and its signature and
 * claims do not change, so the HMAC and the parsing are done once per token.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import { SignJWT, createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { systemClock, type Clock } from '../common/clock';
import type { Config } from '../config';
import { unauthenticated } from '../errors';
import { DEFAULT_ORG, ORG_ID_PATTERN, ROLES, type AuthUser, type Role, type TokenSubject } from './user';

const REASONS: Record<string, string> = {
  ERR_JWT_EXPIRED: 'has expired',
  ERR_JWT_CLAIM_VALIDATION_FAILED: 'is not valid',
};

interface Verified {
  user: AuthUser;
  /** ms: the token's exp plus the allowed skew */
  validUntil: number;
  /** ms: the token's nbf less the allowed skew */
  validFrom: number;
}

function bearerToken(header: string): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(header)?.[1];
}

export class TokenVerifier {
  private readonly secret?: KeyObject;
  private readonly jwks?: JWTVerifyGetKey;
  private readonly verified = new LRUCache<string, Verified>({ max: 10_000 });

  constructor(
    private readonly config: Config['jwt'],
    private readonly clock: Clock = systemClock,
  ) {
    if (config.jwksUrl) this.jwks = createRemoteJWKSet(new URL(config.jwksUrl));
    else if (config.secret) this.secret = createSecretKey(Buffer.from(config.secret, 'utf8'));
  }

  /**
   * The user of an Authorization header whose token was verified before and is
   * still within its lifetime; undefined when it must be verified (userFromHeader).
   * Synchronous, so the request hook costs no promise on the common path.
   */
  knownUser(header: string | undefined): AuthUser | null | undefined {
    if (header === undefined || header === '') return null;
    const token = bearerToken(header);
    const known = token === undefined ? undefined : this.verified.get(token);
    if (!known) return undefined;
    const now = this.clock.now().getTime();
    return now < known.validUntil && now >= known.validFrom ? known.user : undefined;
  }

  /** The user of an Authorization header; null when there is none; UNAUTHENTICATED when it is not valid. */
  async userFromHeader(header: string | undefined): Promise<AuthUser | null> {
    if (header === undefined || header === '') return null;
    const token = bearerToken(header);
    if (token === undefined) throw unauthenticated('The Authorization header must be "Bearer <token>"');
    const now = this.clock.now();
    const known = this.verified.get(token);
    if (known) {
      if (now.getTime() < known.validUntil && now.getTime() >= known.validFrom) return known.user;
      this.verified.delete(token); // expired (or not yet valid): verified again below, for the precise error
    }
    let payload: JWTPayload;
    try {
      const options = {
        issuer: this.config.issuer,
        audience: this.config.audience,
        requiredClaims: ['exp'],
        clockTolerance: this.config.clockSkewSeconds,
        currentDate: now,
      };
      payload = this.jwks
        ? (await jwtVerify(token, this.jwks, options)).payload
        : (await jwtVerify(token, this.secret!, { ...options, algorithms: ['HS256'] })).payload;
    } catch (err) {
      const { code, claim } = err as { code?: string; claim?: string };
      if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim === 'exp') throw unauthenticated('The bearer token must carry `exp`');
      if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim === 'nbf') throw unauthenticated('The bearer token is not valid yet (nbf)');
      throw unauthenticated(`The bearer token ${REASONS[code ?? ''] ?? 'is not valid'}`);
    }
    this.assertLifetime(payload, now);
    const role = payload.role;
    if (!payload.sub || typeof role !== 'string' || !ROLES.includes(role as Role)) {
      throw unauthenticated('The bearer token must carry `sub` and a `role` of GUEST or ADMIN');
    }
    const org = payload.org ?? DEFAULT_ORG;
    if (typeof org !== 'string' || !ORG_ID_PATTERN.test(org)) {
      throw unauthenticated('The bearer token’s `org` must be an organization id (letters, digits, . _ -, at most 64)');
    }
    const user: AuthUser = { id: payload.sub, role: role as Role, orgId: org };
    const skewMs = this.config.clockSkewSeconds * 1000;
    this.verified.set(token, {
      user,
      validUntil: payload.exp! * 1000 + skewMs,
      validFrom: payload.nbf !== undefined ? payload.nbf * 1000 - skewMs : Number.NEGATIVE_INFINITY,
    });
    return user;
  }

  private assertLifetime(payload: JWTPayload, now: Date): void {
    const nowS = Math.floor(now.getTime() / 1000);
    const skew = this.config.clockSkewSeconds;
    if (payload.iat !== undefined && payload.iat > nowS + skew) {
      throw unauthenticated('The bearer token was issued in the future (iat)');
    }
    const start = payload.iat ?? nowS;
    if (payload.exp! - start > this.config.maxLifetimeSeconds + skew) {
      throw unauthenticated(`The bearer token lives longer than the allowed ${this.config.maxLifetimeSeconds} s (exp - iat)`);
    }
  }
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** A development/test token signed with the HS256 secret; `now` (the caller's clock) sets iat and exp. */
export async function signToken(
  secret: string,
  user: TokenSubject,
  options: { expiresIn?: string; issuer?: string; audience?: string; now?: Date } = {},
): Promise<string> {
  const lifetime = /^(\d+)([smhd])$/.exec(options.expiresIn ?? '12h');
  if (!lifetime) throw new Error('expiresIn must look like 30s, 15m, 12h or 1d');
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  let jwt = new SignJWT(user.orgId ? { role: user.role, org: user.orgId } : { role: user.role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user.id)
    .setIssuedAt(iat)
    .setExpirationTime(iat + Number(lifetime[1]) * UNIT_SECONDS[lifetime[2]]);
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}
