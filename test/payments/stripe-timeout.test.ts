import { CreateCheckoutSessionDocument } from '../graphql/generated';
import { actors, createReservation, startCheckout } from '../support/scenario';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
beforeAll(async () => {
  // a short SDK timeout, and one SDK retry (same idempotency key)
  server = await startTestServer({ STRIPE_TIMEOUT_MS: '300', STRIPE_MAX_NETWORK_RETRIES: '1' });
});
afterAll(() => server.close());

it('Stripe hanging past the SDK timeout (twice) → PAYMENT_PROVIDER_PENDING; the retry of the mutation gets the one session', async () => {
  const who = await actors(server);
  const reservationId = await createReservation(server, who.admin);
  server.emulator.faults.inject({ method: 'POST', path: '/v1/checkout/sessions', kind: 'timeout', times: 2, hangMs: 2000 });
  const res = await server.gql(CreateCheckoutSessionDocument, { input: { reservationId } }, { token: who.guest });
  // the outcome is unknown: the client is told it is pending, and which attempt will complete
  expect(res.errors?.[0]?.extensions?.code).toBe('PAYMENT_PROVIDER_PENDING');
  expect(res.errors?.[0]?.message).not.toMatch(/timeout|ETIMEDOUT|stripe\.com|sk_/i);
  const claims = await server.db.prisma.payment.findMany({ where: { reservationId } });
  expect(claims).toHaveLength(1);
  expect(res.errors?.[0]?.extensions?.paymentId).toBe(claims[0].id);
  expect(claims[0].checkoutSessionId).toBeNull();

  const session = await startCheckout(server, who.guest, reservationId);
  expect(session.paymentId).toBe(claims[0].id);
  const atStripe = await server.stripe.checkout.sessions.list({ limit: 100 });
  expect(atStripe.data.filter((s) => s.client_reference_id === reservationId)).toHaveLength(1);
});
