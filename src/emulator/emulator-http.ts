/**
 * The emulator's HTTP surface: the REST subset (form-encoded bodies and query
 * strings decoded like Stripe's, with `qs`, and checked against the SDK's
 * parameter types), bearer-key auth, Stripe's error bodies and statuses, a
 * `Request-Id` on every answer, Stripe-like idempotency keys, fault injection,
 * `expand[]`, lists with paging, and the hosted checkout pages.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import qs from 'qs';
import type Stripe from 'stripe';
import { billingRoutes, type BillingParts } from './billing-routes';
import { EmulatorApiError, invalidParams } from './emulator-errors';
import type { EmulatorStore, RequestInfo } from './emulator-store';
import { expand, parseExpand } from './expand';
import { authenticationPage, cardOutcome, checkoutPage, ibanOutcome, receiptPage, successUrlFor } from './hosted-checkout';
import { invoicePage } from './hosted-invoice';
import { inRange, list, select } from './lists';
import { checkParams, type ParamsSchemaName } from './params';
import type { WebhookSender } from './webhook-sender';

/**
 * Injected faults. Nothing happens for `rate_limit` (429), `api_error` (500) and
 * `timeout` (the request hangs `hangMs`, then the connection is cut). The
 * request is executed, and its answer stored under its idempotency key, for
 * `lost_answer` (the connection is then destroyed, no answer) and
 * `slow_answer` (answered after `delayMs`). `slow_execution` waits `delayMs`
 * before executing: meanwhile its idempotency key is in use.
 */
export type FaultKind = 'rate_limit' | 'api_error' | 'timeout' | 'lost_answer' | 'slow_answer' | 'slow_execution';
export interface Fault {
  method?: string;
  path: string | RegExp;
  kind: FaultKind;
  /** how many matching requests it applies to (default 1) */
  times?: number;
  /** timeout: how long the request hangs before the connection is cut (default 60 s) */
  hangMs?: number;
  /** slow_answer / slow_execution: the delay, real ms (default 5 s) */
  delayMs?: number;
}

export const IDEMPOTENCY_TTL_S = 24 * 3600;

interface Result {
  status: number;
  body: unknown;
}

type Params = Record<string, unknown>;

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** e.g. /v1/checkout/sessions/:session/expire; the path parameter's name is the one Stripe's errors use */
  pattern: string;
  schema: ParamsSchemaName;
  /** runs the call; throws Stripe's errors */
  run(params: Params, pathParam: string, request: RequestInfo): unknown;
}

export class EmulatorHttp {
  readonly faults: Array<Fault & { remaining: number }> = [];
  readonly server: http.Server;
  /** idempotency keys whose request is executing */
  private readonly running = new Set<string>();
  private readonly hanging = new Set<{ res: http.ServerResponse; timer: NodeJS.Timeout }>();
  private readonly routes: Array<Route & { regex: RegExp }>;

  constructor(
    private readonly store: EmulatorStore,
    private readonly sender: WebhookSender,
    private readonly changed: () => void,
    private readonly parts: BillingParts,
  ) {
    this.routes = [...this.defineRoutes(), ...billingRoutes(parts)].map((r) => ({
      ...r,
      regex: new RegExp(`^${r.pattern.replace(/:\w+/g, '([^/]+)')}$`),
    }));
    this.server = http.createServer((req, res) => {
      void this.handle(req, res);
    });
  }

  closeHanging(): void {
    for (const hang of this.hanging) {
      clearTimeout(hang.timer);
      hang.res.destroy();
    }
    this.hanging.clear();
  }

  private later(res: http.ServerResponse, ms: number, then: () => void) {
    const hang = { res, timer: setTimeout(() => {
      this.hanging.delete(hang);
      then();
    }, ms) };
    hang.timer.unref();
    this.hanging.add(hang);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = `req_${randomBytes(10).toString('hex')}`;
    res.setHeader('Request-Id', requestId);
    const url = new URL(req.url ?? '/', 'http://emulator');
    const raw = await readBody(req);
    try {
      if (url.pathname.startsWith('/v1/')) await this.api(req, res, url, raw, requestId);
      else if (url.pathname.startsWith('/c/pay/')) this.page(req, res, url, raw);
      else if (url.pathname.startsWith('/i/')) this.invoicePage(req, res, url, raw);
      else if (url.pathname.startsWith('/receipts/')) this.receipt(res, url);
      else throw new EmulatorApiError(404, 'invalid_request_error', `Unrecognized request URL (${req.method}: ${url.pathname}).`);
    } catch (err) {
      const error = err instanceof EmulatorApiError ? err : new EmulatorApiError(500, 'api_error', (err as Error).message);
      send(res, error.status, error.body());
    }
  }

  // ---------------------------------------------------------------- REST API

  private async api(req: http.IncomingMessage, res: http.ServerResponse, url: URL, raw: string, requestId: string) {
    const auth = req.headers.authorization ?? '';
    if (!/^Bearer (sk|rk)_(test|live)_\S+$/.test(auth)) {
      throw new EmulatorApiError(401, 'invalid_request_error', 'You did not provide a valid API key. Use `Authorization: Bearer sk_test_…`.');
    }
    const method = req.method ?? 'GET';
    const fault = this.takeFault(method, url.pathname);
    if (fault?.kind === 'rate_limit') {
      throw new EmulatorApiError(429, 'invalid_request_error', 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.', { code: 'rate_limit' });
    }
    if (fault?.kind === 'api_error') throw new EmulatorApiError(500, 'api_error', 'An unknown error occurred (injected fault).');
    if (fault?.kind === 'timeout') {
      this.later(res, fault.hangMs ?? 60_000, () => res.destroy());
      return;
    }
    const { route, pathParam } = this.match(method, url.pathname);
    // the SDK sends the parameters of GET and DELETE in the query string
    const params: Params = method === 'POST' ? qs.parse(raw, { arrayLimit: 100 }) : qs.parse(url.search.slice(1), { arrayLimit: 100 });
    const key = req.headers['idempotency-key'];
    const request: RequestInfo = { id: requestId, idempotencyKey: typeof key === 'string' && key ? key : null };
    if (method !== 'POST' || !request.idempotencyKey) {
      const result = await this.execute(route, params, pathParam, request, fault);
      return this.answer(req, res, result, fault);
    }
    const idempotencyKey = request.idempotencyKey;
    this.dropExpiredKeys();
    const endpoint = `${method} ${route.pattern}`;
    const parameters = canonical(params) + `|${pathParam}`;
    const stored = this.store.state.idempotency[idempotencyKey];
    if (stored) {
      if (stored.endpoint !== endpoint) {
        throw new EmulatorApiError(
          400,
          'idempotency_error',
          `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${stored.endpoint}' vs '${endpoint}'). Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
        );
      }
      if (stored.parameters !== parameters) {
        throw new EmulatorApiError(
          400,
          'idempotency_error',
          `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
        );
      }
      res.setHeader('Idempotent-Replayed', 'true');
      res.setHeader('Original-Request', stored.requestId);
      res.setHeader('Idempotency-Key', idempotencyKey);
      return this.answer(req, res, { status: stored.status, body: stored.body }, fault);
    }
    if (this.running.has(idempotencyKey)) {
      throw new EmulatorApiError(
        409,
        'invalid_request_error',
        `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${idempotencyKey}. Please try again later.`,
        { code: 'idempotency_key_in_use' },
      );
    }
    this.running.add(idempotencyKey);
    let result: Result & { storable: boolean };
    try {
      result = await this.execute(route, params, pathParam, request, fault);
    } finally {
      this.running.delete(idempotencyKey);
    }
    if (result.storable) {
      this.store.state.idempotency[idempotencyKey] = {
        endpoint,
        parameters,
        createdAt: this.store.now(),
        requestId,
        status: result.status,
        body: result.body,
      };
      this.changed();
    }
    res.setHeader('Idempotency-Key', idempotencyKey);
    return this.answer(req, res, result, fault);
  }

  /**
   * Validates, then (after a `slow_execution` delay) runs the call. `storable`:
   * whether the answer is kept under an idempotency key — not when validation
   * failed (Stripe saves results only once an endpoint started executing), but
   * an error raised while executing is kept like a success.
   */
  private async execute(
    route: Route,
    params: Params,
    pathParam: string,
    request: RequestInfo,
    fault: Fault | undefined,
  ): Promise<Result & { storable: boolean }> {
    let parsed: Params;
    let paths: string[][];
    try {
      parsed = checkParams<Params>(route.schema, params);
      paths = parseExpand(parsed.expand as string[] | undefined);
    } catch (err) {
      return { ...errorResult(err), storable: false };
    }
    if (fault?.kind === 'slow_execution') await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 5000).unref());
    try {
      const body = route.run(parsed, pathParam, request);
      return { status: 200, body: expand(body, paths, this.expandSource()), storable: true };
    } catch (err) {
      return { ...errorResult(err), storable: !(err instanceof EmulatorApiError && err.validation) };
    }
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse, result: Result, fault: Fault | undefined) {
    if (fault?.kind === 'lost_answer') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'slow_answer') {
      this.later(res, fault.delayMs ?? 5000, () => send(res, result.status, result.body));
      return;
    }
    send(res, result.status, result.body);
  }

  private dropExpiredKeys() {
    const cutoff = this.store.now() - IDEMPOTENCY_TTL_S;
    let dropped = false;
    for (const [key, stored] of Object.entries(this.store.state.idempotency)) {
      if (stored.createdAt <= cutoff) {
        delete this.store.state.idempotency[key];
        dropped = true;
      }
    }
    if (dropped) this.changed();
  }

  private takeFault(method: string, path: string) {
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        (!f.method || f.method.toUpperCase() === method) &&
        (typeof f.path === 'string' ? f.path === path : f.path.test(path)),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    return fault;
  }

  private match(method: string, path: string): { route: Route; pathParam: string } {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.regex.exec(path);
      if (m) return { route, pathParam: decodeURIComponent(m[1] ?? '') };
    }
    throw new EmulatorApiError(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`);
  }

  private expandSource() {
    const store = this.store;
    return {
      byId: (id: string) => store.byId(id),
      include: (object: Record<string, unknown>, field: string): unknown => {
        if (object.object === 'checkout.session' && field === 'line_items' && typeof object.id === 'string') {
          return list(`/v1/checkout/sessions/${object.id}/line_items`, store.lineItems(object.id), {});
        }
        if (object.object === 'charge' && field === 'refunds' && typeof object.id === 'string') {
          const id = object.id;
          return list(`/v1/charges/${id}/refunds`, Object.values(store.state.refunds).filter((r) => r.charge === id), {});
        }
        if (object.object === 'invoice' && field === 'payments' && typeof object.id === 'string') {
          const id = object.id;
          return list(`/v1/invoice_payments?invoice=${id}`, Object.values(store.state.invoicePayments).filter((p) => p.invoice === id), {});
        }
        return undefined;
      },
    };
  }

  private defineRoutes(): Route[] {
    const s = this.store;
    const state = s.state;
    return [
      {
        method: 'POST',
        pattern: '/v1/checkout/sessions',
        schema: 'CheckoutSessionCreateParams',
        run: (p, _id, request) => s.createSession(p as Stripe.Checkout.SessionCreateParams, request),
      },
      {
        method: 'GET',
        pattern: '/v1/checkout/sessions',
        schema: 'CheckoutSessionListParams',
        run: (p) => {
          const email = (p as Stripe.Checkout.SessionListParams).customer_details?.email;
          const sessions = select(Object.values(state.sessions), p, ['payment_intent', 'status', 'payment_link', 'customer', 'subscription']);
          return list('/v1/checkout/sessions', sessions.filter((x) => !email || x.customer_details?.email === email), p);
        },
      },
      { method: 'GET', pattern: '/v1/checkout/sessions/:session', schema: 'CheckoutSessionRetrieveParams', run: (_p, id) => s.session(id) },
      {
        method: 'GET',
        pattern: '/v1/checkout/sessions/:session/line_items',
        schema: 'CheckoutSessionListLineItemsParams',
        run: (p, id) => list(`/v1/checkout/sessions/${id}/line_items`, [...s.lineItems(id)].reverse(), p),
      },
      {
        method: 'POST',
        pattern: '/v1/checkout/sessions/:session/expire',
        schema: 'CheckoutSessionExpireParams',
        run: (_p, id, request) => s.expireSession(id, request),
      },
      { method: 'GET', pattern: '/v1/payment_intents/:intent', schema: 'PaymentIntentRetrieveParams', run: (_p, id) => s.paymentIntent(id) },
      {
        method: 'GET',
        pattern: '/v1/payment_intents',
        schema: 'PaymentIntentListParams',
        run: (p) => list('/v1/payment_intents', select(Object.values(state.paymentIntents), p, ['customer']), p),
      },
      { method: 'GET', pattern: '/v1/charges/:charge', schema: 'ChargeRetrieveParams', run: (_p, id) => s.charge(id) },
      {
        method: 'GET',
        pattern: '/v1/charges',
        schema: 'ChargeListParams',
        run: (p) => list('/v1/charges', select(Object.values(state.charges), p, ['payment_intent', 'customer']), p),
      },
      {
        method: 'POST',
        pattern: '/v1/refunds',
        schema: 'RefundCreateParams',
        run: (p, _id, request) => s.createRefund(p as Stripe.RefundCreateParams, request),
      },
      { method: 'GET', pattern: '/v1/refunds/:refund', schema: 'RefundRetrieveParams', run: (_p, id) => s.refund(id) },
      {
        method: 'GET',
        pattern: '/v1/refunds',
        schema: 'RefundListParams',
        run: (p) => list('/v1/refunds', select(Object.values(state.refunds), p, ['payment_intent', 'charge']), p),
      },
      { method: 'GET', pattern: '/v1/disputes/:dispute', schema: 'DisputeRetrieveParams', run: (_p, id) => s.dispute(id) },
      {
        method: 'GET',
        pattern: '/v1/disputes',
        schema: 'DisputeListParams',
        run: (p) => list('/v1/disputes', select(Object.values(state.disputes), p, ['charge', 'payment_intent']), p),
      },
      {
        method: 'GET',
        pattern: '/v1/events/:id',
        schema: 'EventRetrieveParams',
        run: (_p, id) => s.event(id),
      },
      {
        method: 'GET',
        pattern: '/v1/events',
        schema: 'EventListParams',
        run: (raw) => {
          const p = raw as Stripe.EventListParams;
          if (p.type !== undefined && p.types !== undefined) throw invalidParams('You may pass either `type` or `types`, but not both.', { param: 'types' });
          if (p.types && p.types.length > 20) throw invalidParams('You may pass up to 20 event types.', { param: 'types' });
          const patterns = (p.types ?? (p.type ? [p.type] : [])).map(
            (t) => new RegExp(`^${t.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`),
          );
          return list('/v1/events', state.events.filter((e) =>
            (!patterns.length || patterns.some((re) => re.test(e.type))) &&
            inRange(e.created, p.created) &&
            (p.delivery_success === undefined || this.sender.delivered(e.id) === p.delivery_success)), p);
        },
      },
    ];
  }

  // ---------------------------------------------------------------- hosted checkout pages

  private page(req: http.IncomingMessage, res: http.ServerResponse, url: URL, raw: string) {
    const [, , , sessionId, step] = url.pathname.split('/');
    const session = this.store.state.sessions[sessionId ?? ''];
    if (!session) {
      html(res, 404, '<h1>Checkout session not found</h1>');
      return;
    }
    const description = this.store.state.sessionExtras[session.id].lineItems.map((li) => li.description).join(', ');
    if (req.method === 'GET' && step === 'cancel') {
      redirect(res, String(session.cancel_url ?? '/'));
      return;
    }
    if (req.method === 'GET' && !step) {
      html(res, 200, checkoutPage(session, description));
      return;
    }
    if (req.method !== 'POST') {
      html(res, 405, '<h1>Method not allowed</h1>');
      return;
    }
    const form = qs.parse(raw) as Record<string, string>;
    if (session.status !== 'open') {
      html(res, 409, checkoutPage(session, description));
      return;
    }
    let result: 'success' | 'declined' | 'requires_action';
    try {
      if (step === '3ds') {
        result = this.store.authenticate(session.id, form.action === 'complete');
      } else if (form.iban !== undefined) {
        const outcome = ibanOutcome(form.iban);
        if (!outcome) {
          html(res, 400, checkoutPage(session, description, 'This IBAN is not a test IBAN. Use DE89370400440532013000 or DE62370400440532013001.'));
          return;
        }
        result = this.store.pay(session.id, outcome, form.email || null);
      } else {
        const card = cardOutcome(form.card_number ?? '', form.exp ?? '');
        if ('error' in card) {
          html(res, 400, checkoutPage(session, description, card.error));
          return;
        }
        result = this.store.pay(session.id, card, form.email || null);
      }
    } catch (err) {
      html(res, 400, checkoutPage(session, description, (err as Error).message));
      return;
    }
    if (result === 'success') redirect(res, successUrlFor(session));
    else if (result === 'requires_action') html(res, 200, authenticationPage(session));
    else {
      const intent = this.store.sessionIntent(session);
      html(res, 402, checkoutPage(session, description, intent?.last_payment_error?.message ?? 'Your card was declined.'));
    }
  }

  // ---------------------------------------------------------------- hosted invoice page

  /** `hosted_invoice_url` (`/i/:invoice`): the invoice, and a card form while it is open. */
  private invoicePage(req: http.IncomingMessage, res: http.ServerResponse, url: URL, raw: string) {
    const invoice = this.store.state.invoices[url.pathname.split('/')[2] ?? ''];
    if (!invoice || invoice.status === 'draft') {
      html(res, 404, '<h1>Invoice not found</h1>');
      return;
    }
    const description = this.parts.billing.invoiceDescription(invoice);
    if (req.method === 'GET') {
      html(res, 200, invoicePage(invoice, description));
      return;
    }
    if (req.method !== 'POST') {
      html(res, 405, '<h1>Method not allowed</h1>');
      return;
    }
    if (invoice.status !== 'open') {
      html(res, 409, invoicePage(invoice, description));
      return;
    }
    const form = qs.parse(raw) as Record<string, string>;
    const card = cardOutcome(form.card_number ?? '', form.exp ?? '');
    if ('error' in card) {
      html(res, 400, invoicePage(invoice, description, card.error));
      return;
    }
    let result: { paid: boolean; message?: string };
    try {
      result = this.parts.billing.payOnPage(invoice.id, card, form.email || null);
    } catch (err) {
      html(res, 400, invoicePage(invoice, description, (err as Error).message));
      return;
    }
    if (result.paid) redirect(res, `/i/${invoice.id}`);
    else html(res, 402, invoicePage(invoice, description, result.message));
  }

  private receipt(res: http.ServerResponse, url: URL) {
    const charge = this.store.state.charges[url.pathname.split('/')[2] ?? ''];
    if (!charge || charge.status !== 'succeeded') {
      html(res, 404, '<h1>Receipt not found</h1>');
      return;
    }
    html(res, 200, receiptPage(charge));
  }
}

function errorResult(err: unknown): Result {
  const error = err instanceof EmulatorApiError ? err : new EmulatorApiError(500, 'api_error', (err as Error).message);
  return { status: error.status, body: error.body() };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown) {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function html(res: http.ServerResponse, status: number, body: string) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(body);
}

function redirect(res: http.ServerResponse, location: string) {
  res.writeHead(303, { location });
  res.end();
}

/** Stable text of decoded params, for comparing idempotent requests. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object).sort().map((k) => `${k}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
