/**
 * The admin console (/admin) in headless Chromium (Debian's package, driven by
 * playwright-core), against the service with the Stripe emulator and the test
 * database (PostgreSQL when DATABASE_URL is set, as in CI): sign in with the
 * development button, find a paid reservation, refund half with an explicit
 * amount, see refunds appear live, over-refund (refused in the page, and by the
 * service when the page's figures went stale), a double click that refunds once
 * at Stripe, a guest's and an expired token refused, a phone-sized screen and
 * keyboard use. Every page must load from this service alone, with no console
 * error and nothing refused by the Content Security Policy.
 *
 * Screenshots of each screen: test-artifacts/admin-console/*.png (ignored by git).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { signToken } from '../../src/auth/token-verifier';
import type { Role } from '../../src/auth/user';
import { RefundPaymentDocument } from '../graphql/generated';
import { payOnCheckoutPage } from '../support/checkout-browser';
import { createReservation, eventually, startCheckout } from '../support/scenario';
import { startTestServer, type TestServer } from '../support/test-server';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  // eslint-disable-next-line no-console
  console.warn(`Skipping the admin console browser tests: no Chromium at ${CHROMIUM} (apt-get install -y chromium, as .ci/run does)`);
}
const describeInChromium = available ? describe : describe.skip;

const ROOT = path.join(__dirname, '..', '..');

/** The page's globals these tests read (the tests compile without the DOM library). */
interface PageGlobals {
  document: {
    activeElement: { id: string; tagName: string; textContent: string | null; getAttribute(name: string): string | null } | null;
    cookie: string;
    documentElement: { scrollWidth: number };
  };
  sessionStorage: { length: number; key(index: number): string | null };
  localStorage: { length: number };
  innerWidth: number;
}
const pageGlobals = () => globalThis as unknown as PageGlobals;

/** What the page keeps: sessionStorage's keys, how many localStorage items, the cookies. */
const storedByPage = (page: Page) =>
  page.evaluate(() => {
    const { sessionStorage, localStorage, document } = globalThis as unknown as PageGlobals;
    return [Array.from({ length: sessionStorage.length }, (_, i) => sessionStorage.key(i)), localStorage.length, document.cookie];
  });

/** The focused element: its id, role, tag, label and text. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const active = (globalThis as unknown as PageGlobals).document.activeElement;
    return {
      id: active?.id ?? null,
      role: active?.getAttribute('role') ?? null,
      tag: active?.tagName ?? null,
      label: active?.getAttribute('aria-label') ?? null,
      text: active?.textContent?.trim() ?? null,
    };
  });

/** Presses Tab until the focused element passes `check` (keyboard only), at most 40 times. */
async function tabTo(page: Page, check: (f: Awaited<ReturnType<typeof focused>>) => boolean): Promise<void> {
  for (let i = 0; i < 40; i += 1) {
    await page.keyboard.press('Tab');
    if (check(await focused(page))) return;
  }
  throw new Error(`Tab never reached the element; last focused: ${JSON.stringify(await focused(page))}`);
}
const SHOTS = path.join(ROOT, 'test-artifacts', 'admin-console');

describeInChromium(`the admin console in headless Chromium (${CHROMIUM})`, () => {
  let server: TestServer;
  let browser: Browser;
  let paid: { reservationId: string; paymentId: string; paymentIntentId: string };
  let otherReservationId: string;
  const problems: string[] = [];
  const foreign: string[] = [];

  const tokenFor = (sub: string, role: Role) => signToken(server.app.config.jwt.secret!, { id: sub, role }, { now: server.clock.now(), expiresIn: '1h' });

  /** A browser tab that records console errors, CSP refusals and requests to anywhere but the service. */
  async function openPage(viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'UTC' });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' || /Content Security Policy|Refused to/i.test(message.text())) problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('request', (request) => {
      if (!request.url().startsWith(server.url) && !request.url().startsWith(server.url.replace('http', 'ws'))) foreign.push(request.url());
    });
    return { context, page };
  }

  /** No console error, nothing refused by the CSP, nothing loaded from elsewhere, on any page so far. */
  function expectCleanPages() {
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

  async function signInWithDevelopmentToken(page: Page) {
    await page.goto(`${server.url}/admin`);
    await page.getByRole('button', { name: 'Sign in with a development ADMIN token' }).click();
    await page.getByRole('heading', { name: 'Payments', exact: true }).waitFor();
  }

  /** What the emulator (Stripe) holds for the paid payment, through the SDK. */
  const refundsAtStripe = async () => (await server.stripe.refunds.list({ payment_intent: paid.paymentIntentId, limit: 100 })).data;

  beforeAll(async () => {
    // the console is served from its build: build it if its sources changed (as npm start does)
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'admin-build.js')], { cwd: ROOT, stdio: 'pipe' });
    mkdirSync(SHOTS, { recursive: true });
    // the built-in development secret: the page offers its development-token button
    server = await startTestServer({ JWT_SECRET: '' });
    const admin = await tokenFor('booking-system', 'ADMIN');
    const guest = await tokenFor('guest-7', 'GUEST');
    otherReservationId = await createReservation(server, admin, 'guest-8', 9000, 40);
    await startCheckout(server, await tokenFor('guest-8', 'GUEST'), otherReservationId);
    const reservationId = await createReservation(server, admin, 'guest-7', 24000, 30);
    const session = await startCheckout(server, guest, reservationId);
    await payOnCheckoutPage(session.url, {});
    await server.settled();
    const payment = await eventually(async () => {
      const row = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: session.paymentId } });
      expect(row.status).toBe('SUCCEEDED');
      return row;
    });
    paid = { reservationId, paymentId: payment.id, paymentIntentId: payment.paymentIntentId! };
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('refuses a guest token and an expired one, with a clear message, and keeps neither', async () => {
    const { context, page } = await openPage();
    await page.goto(`${server.url}/admin`);
    await shot(page, '01-sign-in');
    await page.getByLabel('Bearer token (ADMIN)').fill(`Bearer ${await tokenFor('guest-7', 'GUEST')}`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toBe('This token is for “guest-7” with the role GUEST: the console needs an ADMIN token.');
    expect((await focused(page)).role).toBe('alert');
    await shot(page, '02-sign-in-refused');

    // a token that expired an hour ago
    const expired = await signToken(server.app.config.jwt.secret!, { id: 'booking-system', role: 'ADMIN' }, { now: new Date(server.clock.now().getTime() - 7_200_000), expiresIn: '1h' });
    await page.getByLabel('Bearer token (ADMIN)').fill(expired);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'This token expired at' }).waitFor();
    expect(await storedByPage(page)).toEqual([[], 0, '']);
    await expect(page.getByRole('heading', { name: 'Payments', exact: true }).count()).resolves.toBe(0);
    await context.close();
    expectCleanPages();
  }, 60_000);

  it('signs in, finds the paid reservation, refunds half with an explicit amount and sees refunds appear live', async () => {
    const { context, page } = await openPage();
    await signInWithDevelopmentToken(page);
    // the token lives in sessionStorage only
    expect(await storedByPage(page)).toEqual([['bpa.admin.token'], 0, '']);
    const rows = page.locator('table tbody tr');
    await rows.filter({ hasText: paid.reservationId }).waitFor();
    await shot(page, '03-payments');

    // find it: paid attempts only
    await page.getByLabel('Status').selectOption('SUCCEEDED');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await eventually(async () => expect(await rows.allInnerTexts()).toEqual([expect.stringContaining(paid.reservationId)]));
    expect(await rows.first().innerText()).toContain('€240.00');
    expect(page.url()).toContain('#/payments?status=SUCCEEDED');
    await page.getByRole('link', { name: paid.reservationId }).click();

    await page.getByRole('heading', { name: `Reservation ${paid.reservationId}` }).waitFor();
    await page.getByText('Live: changes appear as they happen').waitFor();
    expect(await page.getByTestId('amount-paid').innerText()).toBe('€240.00');
    await shot(page, '04-reservation');

    // the refund form: the policy's quote, then an explicit half
    await page.getByRole('link', { name: 'Refund attempt 1' }).click();
    const quote = page.getByTestId('quote');
    await quote.waitFor();
    expect(await quote.innerText()).toMatch(/Cancellation policy now: €240\.00 \(full refund\)\. Check-in is \d+ whole days away \(14 or more\): the full amount\./);
    await shot(page, '05-refund-form');
    await page.getByLabel('An explicit amount (goodwill or a correction)').check();
    await page.getByLabel('Amount in euros').fill('120.00');
    await page.getByLabel('Reason (optional, kept with the refund)').fill('Noisy room');
    await page.getByRole('button', { name: 'Review refund' }).click();
    expect(await page.getByTestId('confirm-amount').innerText()).toBe('€120.00');
    await shot(page, '06-refund-confirm');
    await page.getByRole('button', { name: 'Confirm refund' }).click();
    const result = page.getByTestId('refund-result');
    await result.waitFor();
    expect(await result.innerText()).toMatch(/^Refunded €120\.00\. Stripe refund re_\w+\./);
    // the Refunds panel shows it from the live subscription (the page never reloads)
    const refundRows = page.getByTestId('refunds').locator('tbody tr');
    await refundRows.filter({ hasText: '€120.00' }).filter({ hasText: 'Noisy room' }).waitFor();
    await page.getByTestId('amount-refunded').filter({ hasText: '€120.00' }).waitFor();
    await shot(page, '07-refund-done');
    await server.settled();
    expect((await refundsAtStripe()).map((r) => r.amount)).toEqual([12000]);

    // a refund made elsewhere (another admin, over the API) appears too, pushed
    const admin = await tokenFor('booking-system', 'ADMIN');
    const elsewhere = await server.gql(RefundPaymentDocument, { input: { paymentId: paid.paymentId, amount: 1000, reason: 'from the API' } }, { token: admin });
    expect(elsewhere.errors).toBeUndefined();
    await refundRows.filter({ hasText: 'from the API' }).filter({ hasText: '€10.00' }).waitFor();
    await page.getByTestId('amount-refunded').filter({ hasText: '€130.00' }).waitFor();
    // the audit trail panel follows too: both refunds requested, by whom
    const auditRows = page.getByTestId('audit').locator('tbody tr');
    await auditRows.filter({ hasText: 'refund.requested' }).filter({ hasText: '€10.00' }).filter({ hasText: 'booking-system' }).waitFor();
    await auditRows.filter({ hasText: 'refund.requested' }).filter({ hasText: '€120.00' }).waitFor();
    await auditRows.filter({ hasText: 'payment.succeeded' }).filter({ hasText: 'stripe' }).waitFor();
    await shot(page, '07b-audit-trail');
    await context.close();
    expectCleanPages();
  }, 90_000);

  it('refuses an over-refund in the page and from the service; a double click, and a confirm sent again after a lost answer, refund once at Stripe', async () => {
    const { context, page } = await openPage();
    await page.goto(`${server.url}/admin#/reservations/${paid.reservationId}/refund/${paid.paymentId}`);
    await page.getByRole('button', { name: 'Sign in with a development ADMIN token' }).click();
    await page.getByTestId('quote').waitFor();
    expect(await page.getByText('remains refundable', { exact: false }).first().innerText()).toContain('€110.00 remains refundable');

    // more than remains: the page says so next to the field, and puts the cursor there
    await page.getByLabel('An explicit amount (goodwill or a correction)').check();
    await page.getByLabel('Amount in euros').fill('200');
    await page.getByRole('button', { name: 'Review refund' }).click();
    await page.getByText('At most €110.00 remains refundable on this payment.').waitFor();
    expect(await focused(page)).toMatchObject({ id: 'refund-amount' });
    expect(await page.getByLabel('Amount in euros').getAttribute('aria-invalid')).toBe('true');
    await shot(page, '08-over-refund-in-page');

    // figures gone stale while confirming (another admin refunded meanwhile): the service refuses, the page says how much remains
    await page.getByLabel('Amount in euros').fill('100');
    await page.getByRole('button', { name: 'Review refund' }).click();
    expect(await page.getByTestId('confirm-amount').innerText()).toBe('€100.00');
    const admin = await tokenFor('booking-system', 'ADMIN');
    expect((await server.gql(RefundPaymentDocument, { input: { paymentId: paid.paymentId, amount: 2000 } }, { token: admin })).errors).toBeUndefined();
    await page.getByRole('button', { name: 'Confirm refund' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toBe('That is more than remains refundable on this payment. At most €90.00 remains refundable now.');
    expect((await focused(page)).role).toBe('alert');
    await shot(page, '09-over-refund-refused-by-service');

    // a double click on confirm: one refund
    const keys: string[] = [];
    page.on('request', (request) => {
      const body = request.method() === 'POST' && request.url().endsWith('/graphql') ? (request.postDataJSON() as { query: string; variables: { input?: { idempotencyKey?: string } } }) : null;
      if (body?.query.includes('refundPayment')) keys.push(body.variables.input?.idempotencyKey ?? 'none');
    });
    await page.getByRole('button', { name: 'Change' }).click();
    await page.getByLabel('Amount in euros').fill('50');
    await page.getByRole('button', { name: 'Review refund' }).click();
    await page.getByRole('button', { name: 'Confirm refund' }).dblclick();
    await page.getByTestId('refund-result').filter({ hasText: 'Refunded €50.00.' }).waitFor();
    expect(keys.length).toBeGreaterThanOrEqual(1);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^console-[0-9a-f]{32}$/);

    // the answer lost on the way back (the service did refund): "Confirm refund again" sends the same key, so Stripe refunds once
    await page.getByRole('button', { name: 'Make another refund' }).click();
    await page.getByLabel('An explicit amount (goodwill or a correction)').check();
    await page.getByLabel('Amount in euros').fill('15');
    await page.getByRole('button', { name: 'Review refund' }).click();
    let lose = true;
    await page.route('**/graphql', async (route) => {
      const response = await route.fetch();
      if (lose && (route.request().postData() ?? '').includes('refundPayment')) {
        lose = false;
        await route.abort('connectionreset');
      } else {
        await route.fulfill({ response });
      }
    });
    await page.getByRole('button', { name: 'Confirm refund' }).click();
    await page.getByRole('alert').filter({ hasText: 'The service did not answer.' }).waitFor();
    await shot(page, '10-refund-answer-lost');
    await page.getByRole('button', { name: 'Confirm refund again' }).click();
    await page.getByTestId('refund-result').filter({ hasText: 'Refunded €15.00.' }).waitFor();
    expect(keys.slice(-2)).toEqual([keys[keys.length - 1], keys[keys.length - 1]]);
    expect(keys[keys.length - 1]).not.toBe(keys[0]);

    // at Stripe (the emulator, through the SDK): each refund once, and our record agrees
    await server.settled();
    expect((await refundsAtStripe()).map((r) => r.amount).sort((a, b) => a - b)).toEqual([1000, 1500, 2000, 5000, 12000]);
    const payment = await server.db.prisma.payment.findUniqueOrThrow({ where: { id: paid.paymentId } });
    expect(payment.refundedAmount).toBe(21500);
    await page.getByTestId('amount-refunded').filter({ hasText: '€215.00' }).waitFor();
    // the console logs the lost answer as a failed request: that is the one console error this test provokes
    const lost = problems.filter((p) => /ERR_CONNECTION_RESET|Failed to load resource/.test(p));
    expect(lost.length).toBeLessThanOrEqual(1);
    problems.splice(0, problems.length, ...problems.filter((p) => !lost.includes(p)));
    await context.close();
    expectCleanPages();
  }, 90_000);

  it('is readable on a phone: one column, no sideways scrolling', async () => {
    const { context, page } = await openPage({ width: 390, height: 844 });
    await signInWithDevelopmentToken(page);
    await page.locator('table tbody tr').filter({ hasText: paid.reservationId }).waitFor();
    const overflow = () => page.evaluate(() => {
      const { document, innerWidth } = globalThis as unknown as PageGlobals;
      return document.documentElement.scrollWidth - innerWidth;
    });
    expect(await overflow()).toBeLessThanOrEqual(0);
    await shot(page, '11-phone-payments');
    await page.getByRole('link', { name: paid.reservationId }).click();
    await page.getByTestId('refunds').locator('tbody tr').first().waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await shot(page, '12-phone-reservation');
    await context.close();
    expectCleanPages();
  }, 60_000);

  it('works from the keyboard alone, focus following each screen', async () => {
    const { context, page } = await openPage();
    await page.goto(`${server.url}/admin`);
    await tabTo(page, (f) => f.text === 'Sign in with a development ADMIN token');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Payments', exact: true }).waitFor();
    expect(await focused(page)).toMatchObject({ tag: 'H1', text: 'Payments' });
    await page.locator('table tbody tr').filter({ hasText: otherReservationId }).waitFor();
    await tabTo(page, (f) => f.tag === 'A' && f.text === paid.reservationId);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `Reservation ${paid.reservationId}` }).waitFor();
    expect(await focused(page)).toMatchObject({ tag: 'H1', text: `Reservation ${paid.reservationId}` });
    await tabTo(page, (f) => f.label === 'Refund attempt 1');
    await page.keyboard.press('Enter');
    await page.getByTestId('quote').waitFor();
    expect(await focused(page)).toMatchObject({ tag: 'H2', text: 'Refund attempt 1' });
    await context.close();
    expectCleanPages();
  }, 60_000);
});
