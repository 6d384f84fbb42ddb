import { CreateCheckoutSessionDocument, PaymentStatusDocument } from '../graphql/generated';
import { payOnCheckoutPage } from '../support/checkout-browser';
import { startWithActors, createReservation, eventually, paymentStatus, startCheckout, type Actors } from '../support/scenario';
import { TEST_PUBLIC_URL, type TestServer } from '../support/test-server';

let server: TestServer;
let who: Actors;
beforeAll(async () => ({ server, who } = await startWithActors()));
afterAll(() => server.close());

const CARD_OK = '4242 4242 4242 4242';

async function settled() {
  await server.settled();
}

describe('paying for a reservation, as a person does it', () => {
  it('card 4242: session → checkout page → webhook → PAID and CONFIRMED', async () => {
    const reservationId = await createReservation(server, who.admin);
    const session = await startCheckout(server, who.guest, reservationId);
    expect(session).toMatchObject({ amount: 24000, currency: 'EUR', attempt: 1 });
    expect(session.sessionId).toMatch(/^cs_/);
    const ttl = Date.parse(session.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(29 * 60_000);
    expect(ttl).toBeLessThanOrEqual(31 * 60_000);

    // what Stripe was asked for
    const atStripe = await server.stripe.checkout.sessions.retrieve(session.sessionId, { expand: ['line_items'] });
    expect(atStripe).toMatchObject({
      mode: 'payment',
      currency: 'eur',
      amount_total: 24000,
      client_reference_id: reservationId,
      metadata: { reservation_id: reservationId, payment_id: session.paymentId, attempt: '1' },
    });
    expect(atStripe.success_url).toBe(
      `${TEST_PUBLIC_URL}/reservations/${reservationId}/payment/success?session_id={CHECKOUT_SESSION_ID}`,
    );
    expect(atStripe.cancel_url).toBe(`${TEST_PUBLIC_URL}/reservations/${reservationId}/payment/cancelled`);

    const row = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } });
    expect(row).toMatchObject({
      status: 'PENDING',
      attempt: 1,
      checkoutSessionId: session.sessionId,
      checkoutUrl: session.url,
      idempotencyKey: `checkout-session:${reservationId}:1`,
    });

    const page = await payOnCheckoutPage(session.url, { card: CARD_OK, email: 'guest@example.com' });
    expect(page.status).toBe(303);
    expect(page.location).toBe(
      `${TEST_PUBLIC_URL}/reservations/${reservationId}/payment/success?session_id=${session.sessionId}`,
    );
    await settled();

    const status = await paymentStatus(server, who.guest, reservationId);
    expect(status.state).toBe('PAID');
    expect(status.reservation.status).toBe('CONFIRMED');
    expect(status.amountPaid).toBe(24000);
    const payment = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } });
    expect(payment.status).toBe('SUCCEEDED');
    expect(payment.paymentIntentId).toMatch(/^pi_/);
    const reservation = await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: reservationId } });
    expect(reservation.status).toBe('CONFIRMED');
    const completed = await server.db.prisma.webhookEvent.findFirstOrThrow({
      where: { type: 'checkout.session.completed', paymentId: session.paymentId },
    });
    expect(completed).toMatchObject({ result: 'PROCESSED', reservationId });
    expect(completed.processedAt).not.toBeNull();
  });

  it('declined card: the session stays open, the failure is recorded, nothing is confirmed; another card then pays', async () => {
    const reservationId = await createReservation(server, who.admin);
    const session = await startCheckout(server, who.guest, reservationId);
    const page = await payOnCheckoutPage(session.url, { card: '4000 0000 0000 0002' });
    expect(page.location).toBeUndefined();
    expect(page.html).toMatch(/declined/i);
    await settled();

    const payment = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } });
    expect(payment).toMatchObject({ status: 'PENDING', failureCode: 'card_declined' });
    expect((await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: reservationId } })).status).toBe('PENDING');
    const status = await paymentStatus(server, who.guest, reservationId);
    expect(status.state).toBe('PENDING');
    expect(status.attempts[0]).toMatchObject({ status: 'PENDING', failureCode: 'card_declined' });

    // the same session again, and a good card on the same page
    expect((await startCheckout(server, who.guest, reservationId)).sessionId).toBe(session.sessionId);
    await payOnCheckoutPage(session.url, { card: CARD_OK });
    await settled();
    const after = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } });
    expect(after).toMatchObject({ status: 'SUCCEEDED', failureCode: null });
    expect((await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: reservationId } })).status).toBe('CONFIRMED');
  });

  it('insufficient funds is recorded with its code', async () => {
    const reservationId = await createReservation(server, who.admin);
    const session = await startCheckout(server, who.guest, reservationId);
    await payOnCheckoutPage(session.url, { card: '4000000000009995' });
    await settled();
    const payment = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } });
    expect(payment).toMatchObject({ status: 'PENDING', failureCode: 'insufficient_funds' });
    expect(payment.failureMessage).toBeTruthy();
  });

  it('3-D Secure completed: PAID', async () => {
    const reservationId = await createReservation(server, who.admin);
    const session = await startCheckout(server, who.guest, reservationId);
    const page = await payOnCheckoutPage(session.url, { card: '4000 0000 0000 3220', threeDS: 'complete' });
    expect(page.status).toBe(303);
    await settled();
    expect((await paymentStatus(server, who.guest, reservationId)).state).toBe('PAID');
  });

  it('3-D Secure failed: not paid, failure recorded', async () => {
    const reservationId = await createReservation(server, who.admin);
    const session = await startCheckout(server, who.guest, reservationId);
    await payOnCheckoutPage(session.url, { card: '4000 0000 0000 3220', threeDS: 'fail' });
    await settled();
    const payment = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } });
    expect(payment.status).toBe('PENDING');
    expect(payment.failureCode).toBe('payment_intent_authentication_failure');
    expect((await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: reservationId } })).status).toBe('PENDING');
  });

  it('delayed method that succeeds: PENDING after checkout, PAID when Stripe settles it', async () => {
    const reservationId = await createReservation(server, who.admin);
    const session = await startCheckout(server, who.guest, reservationId);
    const page = await payOnCheckoutPage(session.url, { iban: 'DE89370400440532013000', email: 'g@example.com' });
    expect(page.status).toBe(303);
    await eventually(async () => {
      const event = await server.db.prisma.webhookEvent.findFirst({
        where: { type: 'checkout.session.completed', paymentId: session.paymentId, processedAt: { not: null } },
      });
      expect(event).not.toBeNull();
    });
    const waiting = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } });
    if (waiting.status === 'PENDING') {
      expect((await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: reservationId } })).status).toBe('PENDING');
    }
    await eventually(async () => {
      expect((await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } })).status).toBe('SUCCEEDED');
    });
    expect((await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: reservationId } })).status).toBe('CONFIRMED');
  });

  it('delayed method that fails: the attempt FAILED, the reservation stays PENDING', async () => {
    const reservationId = await createReservation(server, who.admin);
    const session = await startCheckout(server, who.guest, reservationId);
    await payOnCheckoutPage(session.url, { iban: 'DE62370400440532013001' });
    await eventually(async () => {
      expect((await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } })).status).toBe('FAILED');
    });
    await settled();
    expect((await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: reservationId } })).status).toBe('PENDING');
    expect((await paymentStatus(server, who.guest, reservationId)).state).toBe('FAILED');
  });
});

describe('createCheckoutSession rules', () => {
  it('returns the same open session instead of a second one', async () => {
    const reservationId = await createReservation(server, who.admin);
    const first = await startCheckout(server, who.guest, reservationId);
    const second = await startCheckout(server, who.admin, reservationId);
    expect(second).toEqual(first);
    expect(await server.db.prisma.payment.count({ where: { reservationId } })).toBe(1);
  });

  it('20 concurrent calls make one Stripe session and one Payment row', async () => {
    const reservationId = await createReservation(server, who.admin);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        server.gql(CreateCheckoutSessionDocument, { input: { reservationId } }, { token: who.guest }),
      ),
    );
    for (const r of results) expect(r.errors).toBeUndefined();
    const ids = new Set(results.map((r) => r.data!.createCheckoutSession.sessionId));
    expect(ids.size).toBe(1);
    expect(await server.db.prisma.payment.count({ where: { reservationId } })).toBe(1);
    const atStripe = await server.stripe.checkout.sessions.list({ limit: 100 });
    expect(atStripe.data.filter((s) => s.client_reference_id === reservationId)).toHaveLength(1);
  });

  it('concurrent calls with different redirect URLs still share one session and one row', async () => {
    const reservationId = await createReservation(server, who.admin);
    const results = await Promise.all(
      ['/a', '/b', '/c', '/d'].map((p) =>
        server.gql(CreateCheckoutSessionDocument, { input: { reservationId, successUrl: `${TEST_PUBLIC_URL}${p}` } }, { token: who.guest }),
      ),
    );
    for (const r of results) expect(r.errors).toBeUndefined();
    expect(new Set(results.map((r) => r.data!.createCheckoutSession.sessionId)).size).toBe(1);
    expect(await server.db.prisma.payment.count({ where: { reservationId } })).toBe(1);
  });

  it('refuses another guest (FORBIDDEN), an unknown reservation (NOT_FOUND) and a malformed id (BAD_USER_INPUT)', async () => {
    const reservationId = await createReservation(server, who.admin);
    const other = await server.gql(CreateCheckoutSessionDocument, { input: { reservationId } }, { token: who.otherGuest });
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const unknown = await server.gql(CreateCheckoutSessionDocument, { input: { reservationId: 'RES-2026-ZZZZZZ' } }, { token: who.guest });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const malformed = await server.gql(CreateCheckoutSessionDocument, { input: { reservationId: 'nope' } }, { token: who.guest });
    expect(malformed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(malformed.errors?.[0]?.message).toMatch(/reservationId/);
    const anonymous = await server.gql(CreateCheckoutSessionDocument, { input: { reservationId } });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await server.db.prisma.payment.count({ where: { reservationId } })).toBe(0);
  });

  it('accepts redirect URLs only on the allowed origin', async () => {
    const reservationId = await createReservation(server, who.admin);
    const evil = await server.gql(
      CreateCheckoutSessionDocument,
      { input: { reservationId, successUrl: 'https://evil.example/steal?s={CHECKOUT_SESSION_ID}' } },
      { token: who.guest },
    );
    expect(evil.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(evil.errors?.[0]?.message).toMatch(/successUrl/);
    expect(await server.db.prisma.payment.count({ where: { reservationId } })).toBe(0);

    const ok = await server.gql(
      CreateCheckoutSessionDocument,
      { input: { reservationId, successUrl: `${TEST_PUBLIC_URL}/thanks?s={CHECKOUT_SESSION_ID}`, cancelUrl: `${TEST_PUBLIC_URL}/back` } },
      { token: who.guest },
    );
    expect(ok.errors).toBeUndefined();
    const atStripe = await server.stripe.checkout.sessions.retrieve(ok.data!.createCheckoutSession.sessionId);
    expect(atStripe.success_url).toBe(`${TEST_PUBLIC_URL}/thanks?s={CHECKOUT_SESSION_ID}`);
    expect(atStripe.cancel_url).toBe(`${TEST_PUBLIC_URL}/back`);
  });

  it('answers ALREADY_PAID for a paid reservation', async () => {
    const reservationId = await createReservation(server, who.admin);
    const session = await startCheckout(server, who.guest, reservationId);
    await payOnCheckoutPage(session.url, { card: CARD_OK });
    await settled();
    const again = await server.gql(CreateCheckoutSessionDocument, { input: { reservationId } }, { token: who.guest });
    expect(again.errors?.[0]?.extensions?.code).toBe('ALREADY_PAID');
    expect(await server.db.prisma.payment.count({ where: { reservationId } })).toBe(1);
  });

  it('answers HOLD_EXPIRED after the hold, and marks the reservation EXPIRED', async () => {
    const reservationId = await createReservation(server, who.admin);
    await server.db.prisma.reservation.update({ where: { id: reservationId }, data: { holdExpiresAt: new Date(Date.now() - 1000) } });
    const res = await server.gql(CreateCheckoutSessionDocument, { input: { reservationId } }, { token: who.guest });
    expect(res.errors?.[0]?.extensions?.code).toBe('HOLD_EXPIRED');
    expect((await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: reservationId } })).status).toBe('EXPIRED');
    expect(await server.db.prisma.payment.count({ where: { reservationId } })).toBe(0);
  });

  it('answers a paymentStatus of a fresh reservation as UNPAID, for the owner only', async () => {
    const reservationId = await createReservation(server, who.admin);
    const status = await paymentStatus(server, who.guest, reservationId);
    expect(status).toMatchObject({ state: 'UNPAID', attemptCount: 0, attemptsRemaining: 3, amountPaid: 0, attempts: [] });
    const other = await server.gql(PaymentStatusDocument, { reservationId }, { token: who.otherGuest });
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('Stripe trouble', () => {
  it('Stripe rate limited (429) → PAYMENT_PROVIDER_UNAVAILABLE, nothing claimed (nothing happened there); the next call succeeds', async () => {
    const reservationId = await createReservation(server, who.admin);
    server.emulator.faults.inject({ method: 'POST', path: '/v1/checkout/sessions', kind: 'rate_limit', times: 1 });
    const failed = await server.gql(CreateCheckoutSessionDocument, { input: { reservationId } }, { token: who.guest });
    expect(failed.errors?.[0]?.extensions?.code).toBe('PAYMENT_PROVIDER_UNAVAILABLE');
    expect(await server.db.prisma.payment.count({ where: { reservationId } })).toBe(0);

    const ok = await startCheckout(server, who.guest, reservationId);
    expect(ok.attempt).toBe(1);
    expect(await server.db.prisma.payment.count({ where: { reservationId } })).toBe(1);
    const atStripe = await server.stripe.checkout.sessions.list({ limit: 100 });
    expect(atStripe.data.filter((s) => s.client_reference_id === reservationId)).toHaveLength(1);
  });

  it('Stripe failing (500, also on both SDK retries) is an unknown outcome → PAYMENT_PROVIDER_PENDING; the claim is kept and the next call completes it', async () => {
    const reservationId = await createReservation(server, who.admin);
    server.emulator.faults.inject({ method: 'POST', path: '/v1/checkout/sessions', kind: 'api_error', times: 3 });
    const failed = await server.gql(CreateCheckoutSessionDocument, { input: { reservationId } }, { token: who.guest });
    expect(failed.errors?.[0]?.extensions?.code).toBe('PAYMENT_PROVIDER_PENDING');
    const claims = await server.db.prisma.payment.findMany({ where: { reservationId } });
    expect(claims).toHaveLength(1);
    expect(claims[0]).toMatchObject({ status: 'PENDING', checkoutSessionId: null });

    const ok = await startCheckout(server, who.guest, reservationId);
    expect(ok).toMatchObject({ attempt: 1, paymentId: claims[0].id });
    expect(await server.db.prisma.payment.count({ where: { reservationId } })).toBe(1);
    const atStripe = await server.stripe.checkout.sessions.list({ limit: 100 });
    expect(atStripe.data.filter((s) => s.client_reference_id === reservationId)).toHaveLength(1);
  });

  it('a 500 that clears is absorbed by the SDK retry with the same idempotency key: one session', async () => {
    const reservationId = await createReservation(server, who.admin);
    server.emulator.faults.inject({ method: 'POST', path: '/v1/checkout/sessions', kind: 'api_error', times: 1 });
    const session = await startCheckout(server, who.guest, reservationId);
    expect(session.sessionId).toMatch(/^cs_/);
    const atStripe = await server.stripe.checkout.sessions.list({ limit: 100 });
    expect(atStripe.data.filter((s) => s.client_reference_id === reservationId)).toHaveLength(1);
  });
});

describe('crash safety', () => {
  it('a failure between Stripe creating the session and our write is repaired by the next call: same session, one row', async () => {
    const reservationId = await createReservation(server, who.admin);
    // the database refuses to record the session once, after Stripe has created it
    await server.db.prisma.$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION refuse_session_write() RETURNS trigger AS $$
      BEGIN
        IF NEW.checkout_session_id IS NOT NULL AND OLD.checkout_session_id IS NULL THEN
          RAISE EXCEPTION 'simulated crash';
        END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql`);
    await server.db.prisma.$executeRawUnsafe(
      `CREATE TRIGGER refuse_session_write BEFORE UPDATE ON payments FOR EACH ROW EXECUTE FUNCTION refuse_session_write()`,
    );
    const failed = await server.gql(CreateCheckoutSessionDocument, { input: { reservationId } }, { token: who.guest });
    await server.db.prisma.$executeRawUnsafe(`DROP TRIGGER refuse_session_write ON payments`);
    expect(failed.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(JSON.stringify(failed)).not.toMatch(/simulated|trigger|SQL/);
    const atStripe = (await server.stripe.checkout.sessions.list({ limit: 100 })).data.filter((s) => s.client_reference_id === reservationId);
    expect(atStripe).toHaveLength(1);
    const claim = await server.db.prisma.payment.findFirstOrThrow({ where: { reservationId } });
    expect(claim.checkoutSessionId).toBeNull();

    const session = await startCheckout(server, who.guest, reservationId);
    expect(session.sessionId).toBe(atStripe[0].id);
    expect(session.paymentId).toBe(claim.id);
    expect(await server.db.prisma.payment.count({ where: { reservationId } })).toBe(1);
    expect((await server.stripe.checkout.sessions.list({ limit: 100 })).data.filter((s) => s.client_reference_id === reservationId)).toHaveLength(1);
  });

  it("Stripe's completed event for a claim whose write was lost still finds the payment by its metadata", async () => {
    const reservationId = await createReservation(server, who.admin);
    const session = await startCheckout(server, who.guest, reservationId);
    // as if our write of the session id had never happened
    await server.db.prisma.payment.update({ where: { id: session.paymentId }, data: { checkoutSessionId: null, checkoutUrl: null } });
    await payOnCheckoutPage(session.url, { card: CARD_OK });
    await settled();
    const payment = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } });
    expect(payment).toMatchObject({ status: 'SUCCEEDED', checkoutSessionId: session.sessionId });
    expect((await server.db.prisma.reservation.findUniqueOrThrow({ where: { id: reservationId } })).status).toBe('CONFIRMED');
  });
});
