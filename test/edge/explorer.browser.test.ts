/**
 * GraphiQL at /graphiql, in headless Chromium (Debian's package, driven by
 * playwright-core): the page loads from this service alone (no CDN, nothing
 * refused by its Content Security Policy), the Authorization header is
 * prefilled with a development token, and a paymentStatus query typed into it
 * comes back with the reservation's state.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { signToken } from '../../src/auth/token-verifier';
import { CreateCheckoutSessionDocument, CreateReservationDocument } from '../graphql/generated';
import { startTestServer, type TestServer } from '../support/test-server';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  // eslint-disable-next-line no-console
  console.warn(`Skipping the GraphiQL browser test: no Chromium at ${CHROMIUM} (apt-get install -y chromium, as .ci/run does)`);
}
const describeInChromium = available ? describe : describe.skip;

describeInChromium(`GraphiQL in headless Chromium (${CHROMIUM})`, () => {
  let server: TestServer;
  let browser: Browser;
  let reservationId: string;

  beforeAll(async () => {
    // the built-in development secret: the page may hand out a development token
    server = await startTestServer({ JWT_SECRET: '' });
    const admin = await signToken(server.app.config.jwt.secret!, { id: 'booking-system', role: 'ADMIN' });
    const created = await server.gql(
      CreateReservationDocument,
      { input: { guestId: 'guest-1', description: 'Double room', checkIn: '2031-06-01T15:00:00Z', checkOut: '2031-06-03T11:00:00Z', amount: 24000 } },
      { token: admin },
    );
    reservationId = created.data!.createReservation.id;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('runs a paymentStatus query through the page and shows the result', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    const foreign: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith(server.url)) foreign.push(request.url());
    });

    await page.goto(`${server.url}/graphiql`);
    const queryEditor = page.locator('.graphiql-query-editor .CodeMirror');
    await queryEditor.waitFor({ timeout: 20_000 });
    expect(await page.locator('.graphiql-editor-tool .CodeMirror').last().innerText()).toMatch(/Bearer ey/);

    // the page's sample query is paymentStatus($reservationId): give the variable and run it
    expect(await queryEditor.innerText()).toContain('paymentStatus(reservationId: $reservationId)');
    await page.getByRole('button', { name: 'Variables' }).click();
    await page.locator('.graphiql-editor-tool .CodeMirror').first().click();
    await page.keyboard.insertText(JSON.stringify({ reservationId }));
    await page.locator('.graphiql-execute-button').click();

    const response = page.locator('.graphiql-response', { hasText: '"state": "UNPAID"' });
    await response.waitFor({ timeout: 20_000 });
    const text = await response.innerText();
    expect(text).toContain(`"id": "${reservationId}"`);
    expect(text).toContain('"status": "PENDING"');
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  }, 60_000);

  it('runs the paymentStatusChanged subscription over the WebSocket and shows each change', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(new URL(ws.url()).pathname));

    await page.goto(`${server.url}/graphiql`);
    const queryEditor = page.locator('.graphiql-query-editor .CodeMirror');
    await queryEditor.waitFor({ timeout: 20_000 });
    await page.evaluate((text) => {
      // CodeMirror 5 keeps its editor on the element
      const page = globalThis as unknown as { document: { querySelector(selector: string): { CodeMirror: { setValue(value: string): void } } } };
      page.document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(text);
    }, 'subscription Live($reservationId: ID!) { paymentStatusChanged(reservationId: $reservationId) { state attemptCount } }');
    await page.getByRole('button', { name: 'Variables' }).click();
    await page.locator('.graphiql-editor-tool .CodeMirror').first().click();
    await page.keyboard.insertText(JSON.stringify({ reservationId }));
    await page.locator('.graphiql-execute-button').click();

    await page.locator('.graphiql-response', { hasText: '"state": "UNPAID"' }).waitFor({ timeout: 20_000 });
    // a change made elsewhere (the guest starts paying) is pushed into the page
    const guest = await signToken(server.app.config.jwt.secret!, { id: 'guest-1', role: 'GUEST' });
    const started = await server.gql(CreateCheckoutSessionDocument, { input: { reservationId } }, { token: guest });
    expect(started.errors).toBeUndefined();
    await page.locator('.graphiql-response', { hasText: '"state": "PENDING"' }).waitFor({ timeout: 20_000 });
    expect(sockets).toEqual(['/graphql']);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
