/**
 * Baseline for paymentStatus: a bare Fastify 5 route on pg that does what the
 * service's paymentStatus does at its core and nothing else: the same bearer
 * token check (the service's own TokenVerifier) and the same SQL statement (the
 * one the service runs, prepared), answering its rows as JSON.
 */
import Fastify from 'fastify';
import pg from 'pg';
import { TokenVerifier } from '../../src/auth/token-verifier';
import { PAYMENT_STATUS_STATEMENT } from '../../src/db/payment-status-query';

async function main() {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
  const tokens = new TokenVerifier({
    secret: process.env.JWT_SECRET,
    usingDevelopmentSecret: false,
    maxLifetimeSeconds: 86_400,
    clockSkewSeconds: 30,
  } as ConstructorParameters<typeof TokenVerifier>[0]);
  const app = Fastify({ logger: false });
  app.post('/graphql', async (request, reply) => {
    const user = await tokens.userFromHeader(request.headers.authorization);
    if (!user) return reply.code(401).send({ errors: [{ message: 'no token' }] });
    const body = request.body as { variables?: { reservationId?: string } };
    const { rows } = await pool.query({ ...PAYMENT_STATUS_STATEMENT, values: [[body.variables?.reservationId]], rowMode: "array" });
    return { data: { paymentStatus: rows } };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  process.stdout.write(`${JSON.stringify({ benchReady: true, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` })}\n`);
  process.on('SIGTERM', () => void app.close().then(() => pool.end()).then(() => process.exit(0)));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
