/**
 * The built-in payment result pages (PUBLIC_URL unset): reached by the
 * redirects the checkout really makes, showing the live state from our rows
 * (paid only once the webhook says so; "processing" for a delayed method),
 * opened only by the URL's capability, and never served once PUBLIC_URL is set.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { payOnCheckoutPage } from '../support/checkout-browser';
import { PaymentResultChangedDocument, PaymentStatusChangedDocument } from '../graphql/generated';
import { liveClient, watch, type LiveClient } from '../support/live-client';
import { actors, createReservation, eventually, startCheckout, type Actors } from '../support/scenario';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
let who: Actors;
beforeAll(async () => {
  server = await startTestServer({ PUBLIC_URL: '' });
  who = await actors(server);
});
afterAll(() => server.close());

/** The page a redirect points at, on this test's server (the default URLs name PORT, which is 0 here). */
const onServer = (location: string) => {
  const url = new URL(location);
  return `${server.url}${url.pathname}${url.search}`;
};

async function state(pageUrl: string) {
  const page = new URL(pageUrl);
  const which = page.pathname.endsWith('/cancelled') ? 'cancelled' : 'success';
  const res = await fetch(`${server.url}${page.pathname.replace(/\/(success|cancelled)$/, '/state')}?page=${which}&access=${page.searchParams.get('access')}`);
  return (await res.json()) as { state: string; processing: boolean; title: string; final: boolean };
}

describe('success page', () => {
  it('shows "confirming" until the webhook arrives, then "payment received"; accessible, no framework', async () => {
    const reservationId = await createReservation(server, who.admin);
    const session = await startCheckout(server, who.guest, reservationId);
    const held = server.pauseWebhooks();
    const paid = await payOnCheckoutPage(session.url, { card: '4242424242424242' });
    expect(paid.status).toBe(303);
    const pageUrl = onServer(paid.location!);
    expect(new URL(pageUrl).pathname).toBe(`/reservations/${reservationId}/payment/success`);
    expect(new URL(pageUrl).searchParams.get('session_id')).toBe(session.sessionId);

    const before = await fetch(pageUrl);
    expect(before.status).toBe(200);
    const html = await before.text();
    expect(html).toMatch(/<html lang="en">/);
    expect(html).toMatch(/role="status" aria-live="polite"/);
    expect(html).toMatch(/<h1 id="title">Confirming your payment…<\/h1>/);
    expect(html).not.toMatch(/Payment received/);
    // one small inline script and graphql-ws's browser client: no framework
    expect([...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1])).toEqual(['/payment-pages/graphql-ws.js']);
    const csp = before.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);

    await held.resume();
    await server.settled();
    await eventually(async () => expect((await state(pageUrl)).state).toBe('PAID'));
    const after = await (await fetch(pageUrl)).text();
    expect(after).toMatch(/<h1 id="title">Payment received<\/h1>/);
    expect(after).toMatch(/data-final="true"/);
  });

  it('shows "processing" for a delayed method (SEPA), never success', async () => {
    const slow = await startTestServer({ PUBLIC_URL: '' }, { emulator: { asyncPaymentDelayMs: 60 * 60 * 1000 } });
    try {
      const people = await actors(slow);
      const reservationId = await createReservation(slow, people.admin);
      const session = await startCheckout(slow, people.guest, reservationId);
      const paid = await payOnCheckoutPage(session.url, { iban: 'DE89370400440532013000' });
      expect(paid.status).toBe(303);
      await slow.settled();
      const location = new URL(paid.location!);
      const pageUrl = `${slow.url}${location.pathname}${location.search}`;
      const html = await (await fetch(pageUrl)).text();
      expect(html).toMatch(/<h1 id="title">Payment processing<\/h1>/);
      expect(html).toMatch(/data-state="PROCESSING"/);
      expect(html).not.toMatch(/Payment received/);
      const reservation = await slow.db.prisma.reservation.findUniqueOrThrow({ where: { id: reservationId } });
      expect(reservation.status).toBe('PENDING');
    } finally {
      await slow.close();
    }
  });
});

describe('cancel page', () => {
  it('shows that nothing was charged, live', async () => {
    const reservationId = await createReservation(server, who.admin);
    const session = await startCheckout(server, who.guest, reservationId);
    const sessionPage = await (await fetch(session.url)).text();
    const cancelPath = /href="(\/c\/pay\/[^"]+\/cancel)"/.exec(sessionPage)![1];
    const back = await fetch(new URL(cancelPath, session.url), { redirect: 'manual' });
    expect(back.status).toBe(303);
    const pageUrl = onServer(back.headers.get('location')!);
    expect(new URL(pageUrl).pathname).toBe(`/reservations/${reservationId}/payment/cancelled`);
    const res = await fetch(pageUrl);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/<h1 id="title">Payment not completed<\/h1>/);
    expect(await state(pageUrl)).toMatchObject({ state: 'PENDING', processing: false, final: false });
  });
});

describe('access: the URL capability opens one reservation, and reveals only its state', () => {
  it("answers 404 without it, with a wrong one, or with another reservation's", async () => {
    const first = await createReservation(server, who.admin);
    const second = await createReservation(server, who.admin);
    const session = await startCheckout(server, who.guest, first);
    const cancelUrl = (await server.stripe.checkout.sessions.retrieve(session.sessionId)).cancel_url!;
    const access = new URL(cancelUrl).searchParams.get('access')!;
    expect(access).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const get = (id: string, query: string) => fetch(`${server.url}/reservations/${id}/payment/cancelled${query}`);
    expect((await get(first, `?access=${access}`)).status).toBe(200);
    expect((await get(first, '')).status).toBe(404);
    expect((await get(first, `?access=${'A'.repeat(22)}`)).status).toBe(404);
    expect((await get(second, `?access=${access}`)).status).toBe(404);
    const stateRes = await fetch(`${server.url}/reservations/${first}/payment/state?access=${access}`);
    expect(Object.keys((await stateRes.json()) as object).sort()).toEqual(['detail', 'final', 'processing', 'state', 'title']);
  });
});

describe('live: the page subscribes with its capability, and sees only its view', () => {
  const clients: LiveClient[] = [];
  const pageClient = (base: string, pageAccess?: string) => {
    const c = liveClient(base, pageAccess === undefined ? undefined : { pageAccess });
    clients.push(c);
    return c;
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
  });
  const accessOf = async (target: TestServer, sessionId: string) =>
    new URL((await target.stripe.checkout.sessions.retrieve(sessionId)).success_url!.replace('{CHECKOUT_SESSION_ID}', 'x')).searchParams.get('access')!;

  it('pushes "confirming", then "payment received" when the webhook is processed', async () => {
    const reservationId = await createReservation(server, who.admin);
    const session = await startCheckout(server, who.guest, reservationId);
    const access = await accessOf(server, session.sessionId);
    const live = watch(pageClient(server.url, access), PaymentResultChangedDocument, { reservationId, page: 'SUCCESS' });
    await live.until((d) => d.paymentResultChanged.title === 'Confirming your payment…');
    await payOnCheckoutPage(session.url, { card: '4242424242424242' });
    await server.emulator.webhooks.idle();
    const paid = await live.until((d) => d.paymentResultChanged.state === 'PAID');
    expect(paid.paymentResultChanged).toEqual({ state: 'PAID', processing: false, title: 'Payment received', detail: expect.any(String), final: true });
  });

  it('pushes "processing" for a delayed method (SEPA)', async () => {
    const slow = await startTestServer({ PUBLIC_URL: '' }, { emulator: { asyncPaymentDelayMs: 60 * 60 * 1000 } });
    try {
      const people = await actors(slow);
      const reservationId = await createReservation(slow, people.admin);
      const session = await startCheckout(slow, people.guest, reservationId);
      const live = watch(pageClient(slow.url, await accessOf(slow, session.sessionId)), PaymentResultChangedDocument, { reservationId, page: 'SUCCESS' });
      await live.until((d) => d.paymentResultChanged.state === 'PENDING' && !d.paymentResultChanged.processing);
      await payOnCheckoutPage(session.url, { iban: 'DE89370400440532013000' });
      await slow.emulator.webhooks.idle();
      const processing = await live.until((d) => d.paymentResultChanged.processing);
      expect(processing.paymentResultChanged).toMatchObject({ state: 'PENDING', title: 'Payment processing', final: false });
    } finally {
      await slow.close();
    }
  });

  it("refuses without the capability, with a wrong one or another reservation's (NOT_FOUND, as the pages' 404)", async () => {
    const first = await createReservation(server, who.admin);
    const second = await createReservation(server, who.admin);
    const access = await accessOf(server, (await startCheckout(server, who.guest, first)).sessionId);
    for (const [reservationId, pageAccess] of [[first, undefined], [first, 'A'.repeat(22)], [second, access]] as const) {
      const live = watch(pageClient(server.url, pageAccess), PaymentResultChangedDocument, { reservationId, page: 'CANCELLED' });
      await live.ended();
      expect(live.results).toHaveLength(1);
      expect(live.results[0].errors?.[0]).toMatchObject({ message: `Reservation ${reservationId} does not exist`, extensions: { code: 'NOT_FOUND' } });
    }
  });

  it('the capability opens nothing else: paymentStatusChanged still needs a token', async () => {
    const reservationId = await createReservation(server, who.admin);
    const access = await accessOf(server, (await startCheckout(server, who.guest, reservationId)).sessionId);
    const live = watch(pageClient(server.url, access), PaymentStatusChangedDocument, { reservationId });
    await live.ended();
    expect(live.results[0].errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});

it('serves no result page once PUBLIC_URL is set (the front end has its own)', async () => {
  const withFrontEnd = await startTestServer();
  try {
    const people = await actors(withFrontEnd);
    const reservationId = await createReservation(withFrontEnd, people.admin);
    const session = await startCheckout(withFrontEnd, people.guest, reservationId);
    const stripeSession = await withFrontEnd.stripe.checkout.sessions.retrieve(session.sessionId);
    expect(stripeSession.cancel_url).toBe(`http://localhost:3000/reservations/${reservationId}/payment/cancelled`);
    const res = await fetch(`${withFrontEnd.url}/reservations/${reservationId}/payment/cancelled`);
    expect(res.status).toBe(404);
    // nor their subscription, even with a capability this service would have made
    const { PageAccess } = await import('../../src/payment-pages/page-access');
    const c = liveClient(withFrontEnd.url, { pageAccess: PageAccess.fromSecret(withFrontEnd.app.config.jwt.secret).tokenFor(reservationId) });
    const live = watch(c, PaymentResultChangedDocument, { reservationId, page: 'CANCELLED' });
    await live.ended();
    expect(live.results[0].errors?.[0].extensions?.code).toBe('NOT_FOUND');
    await c.dispose();
  } finally {
    await withFrontEnd.close();
  }
});

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
(existsSync(CHROMIUM) ? it : it.skip)(`the page updates itself in a browser over the WebSocket, under its CSP (Chromium at ${CHROMIUM})`, async () => {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    const reservationId = await createReservation(server, who.admin);
    const session = await startCheckout(server, who.guest, reservationId);
    const held = server.pauseWebhooks();
    const paid = await payOnCheckoutPage(session.url, { card: '4242424242424242' });
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on('request', (r) => requested.push(new URL(r.url()).pathname));
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(new URL(ws.url()).pathname));
    const refused: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused/i.test(m.text())) refused.push(m.text());
    });
    await page.goto(onServer(paid.location!));
    expect(await page.locator('#title').innerText()).toBe('Confirming your payment…');
    await held.resume();
    await page.locator('#title', { hasText: 'Payment received' }).waitFor({ timeout: 20_000 });
    expect(await page.title()).toMatch(/Payment received/);
    expect(refused).toEqual([]);
    // pushed over the WebSocket, not polled
    expect(sockets).toEqual(['/graphql']);
    expect(requested.filter((p) => p.endsWith('/payment/state'))).toEqual([]);
  } finally {
    await browser.close();
  }
}, 60_000);
