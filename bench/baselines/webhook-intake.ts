/**
 * Baseline for webhook intake: a bare Fastify 5 route that reads the raw body,
 * verifies the Stripe-Signature with the SDK (tolerance 300 s), inserts the
 * event id with ON CONFLICT DO NOTHING, and answers 200. Nothing else.
 */
import Fastify from 'fastify';
import pg from 'pg';
import Stripe from 'stripe';

async function main() {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
  await pool.query('CREATE TABLE IF NOT EXISTS bench_baseline_events (id varchar(255) PRIMARY KEY)');
  const stripe = new Stripe('sk_test_baseline');
  const secret = process.env.STRIPE_WEBHOOK_SECRET!;
  const app = Fastify({ logger: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 512 * 1024 }, (_req, body, done) => done(null, body));
  app.post('/webhooks/stripe', async (request, reply) => {
    let event: Stripe.Event;
    try {
      event = stripe.webhooks.constructEvent(request.body as Buffer, String(request.headers['stripe-signature']), secret, 300);
    } catch {
      return reply.code(400).send({ error: 'signature' });
    }
    await pool.query('INSERT INTO bench_baseline_events (id) VALUES ($1) ON CONFLICT DO NOTHING', [event.id]);
    return { received: true };
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
