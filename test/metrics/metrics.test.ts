/**
 * Prometheus metrics on their own port: a payment, a decline and a refund move
 * the counters they should, labels carry no ids, and the public port does not
 * serve them.
 */
import { RefundPaymentDocument } from '../graphql/generated';
import { payOnCheckoutPage } from '../support/checkout-browser';
import { actors, createReservation, startCheckout, type Actors } from '../support/scenario';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
let who: Actors;
beforeAll(async () => {
  server = await startTestServer();
  who = await actors(server);
});
afterAll(() => server.close());

async function scrape(): Promise<string> {
  const res = await fetch(server.app.metricsServer!.url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/text\/plain/);
  return res.text();
}

/** The value of one series (0 when it does not exist yet). */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

it('a payment, a decline and a refund move their counters; labels name no ids', async () => {
  const before = await scrape();
  const reservationId = await createReservation(server, who.admin);
  const session = await startCheckout(server, who.guest, reservationId);
  await payOnCheckoutPage(session.url, { card: '4000000000000002' }); // declined: the session stays open
  await payOnCheckoutPage(session.url, { card: '4242424242424242' });
  await server.settled();
  const refund = await server.gql(RefundPaymentDocument, { input: { paymentId: session.paymentId, amount: 1000 } }, { token: who.admin });
  expect(refund.errors).toBeUndefined();
  await server.settled();
  const after = await scrape();

  const moved = (series: string) => value(after, series) - value(before, series);
  expect(moved('bpa_checkout_sessions_created_total{attempt="1"}')).toBe(1);
  expect(moved('bpa_payments_succeeded_total')).toBe(1);
  expect(moved('bpa_payments_failed_total{failure_code="card_declined",final="false"}')).toBe(1);
  expect(moved('bpa_payment_time_to_pay_seconds_count')).toBe(1);
  expect(moved('bpa_webhook_events_total{type="checkout.session.completed",result="received"}')).toBe(1);
  expect(moved('bpa_webhook_events_total{type="checkout.session.completed",result="PROCESSED"}')).toBe(1);
  expect(moved('bpa_webhook_processing_seconds_count')).toBeGreaterThanOrEqual(2);
  expect(moved('bpa_graphql_operations_total{operation="createCheckoutSession",outcome="ok"}')).toBe(1);
  expect(moved('bpa_graphql_operations_total{operation="refundPayment",outcome="ok"}')).toBe(1);
  expect(moved('bpa_graphql_operation_seconds_count{operation="refundPayment"}')).toBe(1);
  expect(moved('bpa_stripe_requests_total{endpoint="POST /v1/checkout/sessions",outcome="done"}')).toBe(1);
  expect(moved('bpa_stripe_requests_total{endpoint="POST /v1/refunds",outcome="done"}')).toBe(1);
  expect(moved('bpa_stripe_request_seconds_count{endpoint="POST /v1/refunds"}')).toBe(1);
  expect(value(after, 'bpa_db_pool_connections{state="total"}')).toBeGreaterThan(0);
  expect(after).toMatch(/^process_cpu_user_seconds_total /m); // Node's own
  expect(after).toMatch(/^# HELP bpa_jobs_total /m);
  expect(after).toMatch(/^# HELP bpa_notifications_total /m);

  // bounded labels: no reservation, session, PaymentIntent, refund, event or payment ids anywhere
  const labels = after.split('\n').filter((l) => !l.startsWith('#')).map((l) => l.split(' ')[0]);
  const ids = labels.filter((l) => /RES-\d{4}|="(?:cs_|pi_|re_|ch_|evt_|cus_)|[0-9a-f]{8}-[0-9a-f]{4}-/.test(l));
  expect(ids).toEqual([]);
});

it('a retried Stripe request and an idempotent replay are counted as such', async () => {
  const before = await scrape();
  const reservationId = await createReservation(server, who.admin);
  // the answer is lost once: the SDK sends the same key again, and Stripe replays what it did
  server.emulator.faults.inject({ method: 'POST', path: '/v1/checkout/sessions', kind: 'lost_answer', times: 1 });
  await startCheckout(server, who.guest, reservationId);
  const after = await scrape();
  const moved = (series: string) => value(after, series) - value(before, series);
  expect(moved('bpa_stripe_requests_total{endpoint="POST /v1/checkout/sessions",outcome="unknown"}')).toBe(1);
  expect(moved('bpa_stripe_retries_total{endpoint="POST /v1/checkout/sessions"}')).toBe(1);
  expect(moved('bpa_stripe_idempotent_replays_total{endpoint="POST /v1/checkout/sessions"}')).toBe(1);
});

it('is served on its own port only', async () => {
  expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
  const other = new URL(server.app.metricsServer!.url);
  other.pathname = '/anything';
  expect((await fetch(other)).status).toBe(404);
});
