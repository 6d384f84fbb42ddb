/**
 * Bearer JWTs verified with jose: HS256 with JWT_SECRET, or any asymmetric key
 * from a JWKS URL (JWT_JWKS_URL). Claims: `sub` (user id) and `role` (GUEST | ADMIN).
 */
import { SignJWT, createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Config } from '../config';
import { unauthenticated } from '../errors';
import { ROLES, type AuthUser, type Role } from './user';

export class TokenVerifier {
  private readonly secret?: Uint8Array;
  private readonly jwks?: JWTVerifyGetKey;

  constructor(private readonly config: Config['jwt']) {
    if (config.jwksUrl) this.jwks = createRemoteJWKSet(new URL(config.jwksUrl));
    else if (config.secret) this.secret = new TextEncoder().encode(config.secret);
  }

  /** The user of an Authorization header; null when there is none; UNAUTHENTICATED when it is not valid. */
  async userFromHeader(header: string | undefined): Promise<AuthUser | null> {
    if (header === undefined || header === '') return null;
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>"');
    let payload: JWTPayload;
    try {
      const options = { issuer: this.config.issuer, audience: this.config.audience };
      payload = this.jwks
        ? (await jwtVerify(match[1], this.jwks, options)).payload
        : (await jwtVerify(match[1], this.secret!, { ...options, algorithms: ['HS256'] })).payload;
    } catch (err) {
      const reason = (err as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'has expired' : 'is not valid';
      throw unauthenticated(`The bearer token ${reason}`);
    }
    const role = payload.role;
    if (!payload.sub || typeof role !== 'string' || !ROLES.includes(role as Role)) {
      throw unauthenticated('The bearer token must carry `sub` and a `role` of GUEST or ADMIN');
    }
    return { id: payload.sub, role: role as Role };
  }
}

/** A development/test token signed with the HS256 secret. */
export async function signToken(
  secret: string,
  user: AuthUser,
  options: { expiresIn?: string; issuer?: string; audience?: string } = {},
): Promise<string> {
  let jwt = new SignJWT({ role: user.role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user.id)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '12h');
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}
