/**
 * `npm run token -- --sub guest-1 --role GUEST [--org <id>] [--expires 12h]`: prints a bearer
 * token signed with JWT_SECRET (or the development secret), to try the API in
 * Apollo Sandbox: Headers → Authorization: Bearer <token>.
 */
import { parseArgs } from 'node:util';
import { signToken } from '../src/auth/token-verifier';
import { ORG_ID_PATTERN, ROLES, type Role } from '../src/auth/user';
import { loadConfig } from '../src/config';

async function main() {
  const { values } = parseArgs({
    options: {
      help: { type: 'boolean' },
      sub: { type: 'string' },
      role: { type: 'string', default: 'GUEST' },
      expires: { type: 'string', default: '12h' },
      org: { type: 'string' },
    },
  });
  if (values.help) {
    process.stdout.write(`usage: npm run token -- --sub <user id> --role GUEST|ADMIN [--org <organization>] [--expires 12h]

Prints a bearer token signed with JWT_SECRET (or the development secret), with
\`exp\` (at most JWT_MAX_LIFETIME_SECONDS away), to call the API or sign in to the
explorer: Authorization: Bearer <token>. Without --org the token carries no \`org\`
claim and belongs to the organization \`default\`.
`);
    return;
  }
  const role = (values.role ?? 'GUEST').toUpperCase();
  if (!values.sub || !ROLES.includes(role as Role)) {
    throw new Error('usage: npm run token -- --sub <user id> --role GUEST|ADMIN [--expires 12h]');
  }
  const config = loadConfig();
  if (!config.jwt.secret) throw new Error('JWT_JWKS_URL is set: tokens come from your identity provider');
  if (values.org !== undefined && !ORG_ID_PATTERN.test(values.org)) throw new Error('--org: letters, digits, . _ - (at most 64)');
  const token = await signToken(config.jwt.secret, { id: values.sub, role: role as Role, ...(values.org ? { orgId: values.org } : {}) }, {
    expiresIn: values.expires,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
  });
  process.stdout.write(`${token}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
