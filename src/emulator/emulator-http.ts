/**
 * The emulator's HTTP surface: the REST subset (form-encoded bodies and query
 * strings decoded like Stripe's, with `qs`), bearer-key auth, Stripe's error
 * bodies and statuses, a `Request-Id` on every answer, idempotency keys, fault
 * injection, and the hosted checkout pages.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import qs from 'qs';
import type Stripe from 'stripe';
import { EmulatorApiError, invalidRequest } from './emulator-errors';
import type { EmulatorStore, RequestInfo } from './emulator-store';
import { authenticationPage, cardOutcome, checkoutPage, ibanOutcome, successUrlFor } from './hosted-checkout';

export type FaultKind = 'rate_limit' | 'api_error' | 'timeout';
export interface Fault {
  method?: string;
  path: string | RegExp;
  kind: FaultKind;
  times?: number;
  hangMs?: number;
}

interface StoredResponse {
  fingerprint: string;
  createdAt: number;
  response: Promise<{ status: number; body: unknown }>;
}

const IDEMPOTENCY_TTL_S = 24 * 3600;
const ROUTE_WORDS = new Set(['checkout', 'sessions', 'expire', 'line_items', 'payment_intents', 'charges', 'refunds', 'events']);

export class EmulatorHttp {
  readonly faults: Array<Fault & { remaining: number }> = [];
  private readonly idempotency = new Map<string, StoredResponse>();
  private readonly hanging = new Set<http.ServerResponse>();
  readonly server: http.Server;

  constructor(
    private readonly store: EmulatorStore,
    private readonly now: () => number,
    private readonly eventDelivered: (eventId: string) => boolean | undefined,
  ) {
    this.server = http.createServer((req, res) => {
      void this.handle(req, res);
    });
  }

  closeHanging(): void {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = `req_${randomBytes(10).toString('hex')}`;
    res.setHeader('Request-Id', requestId);
    const url = new URL(req.url ?? '/', 'http://emulator');
    const raw = await readBody(req);
    try {
      if (url.pathname.startsWith('/v1/')) {
        await this.api(req, res, url, raw, requestId);
      } else if (url.pathname.startsWith('/c/pay/')) {
        this.page(req, res, url, raw);
      } else {
        send(res, 404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${url.pathname}).` } });
      }
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
    if (fault) {
      if (fault.kind === 'rate_limit') {
        throw new EmulatorApiError(429, 'invalid_request_error', 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.', { code: 'rate_limit' });
      }
      if (fault.kind === 'api_error') {
        throw new EmulatorApiError(500, 'api_error', 'An unknown error occurred (injected fault).');
      }
      this.hanging.add(res);
      setTimeout(() => {
        this.hanging.delete(res);
        res.destroy();
      }, fault.hangMs ?? 60_000).unref();
      return;
    }
    const params: Record<string, any> = method === 'GET' ? qs.parse(url.search.slice(1)) : qs.parse(raw);
    const key = req.headers['idempotency-key'];
    if (method === 'POST' && typeof key === 'string' && key) {
      this.dropExpiredKeys();
      const fingerprint = createHash('sha256').update(`${method} ${url.pathname}\n${canonical(params)}`).digest('hex');
      const stored = this.idempotency.get(key);
      if (stored) {
        if (stored.fingerprint !== fingerprint) {
          throw new EmulatorApiError(
            400,
            'idempotency_error',
            `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
          );
        }
        const replay = await stored.response;
        res.setHeader('Idempotent-Replayed', 'true');
        res.setHeader('Original-Request', stored.fingerprint.slice(0, 24));
        send(res, replay.status, replay.body);
        return;
      }
      const response = this.execute(method, url, params, { id: requestId, idempotencyKey: key });
      this.idempotency.set(key, { fingerprint, createdAt: this.now(), response });
      const result = await response;
      res.setHeader('Idempotency-Key', key);
      send(res, result.status, result.body);
      return;
    }
    const result = await this.execute(method, url, params, { id: requestId, idempotencyKey: null });
    send(res, result.status, result.body);
  }

  private dropExpiredKeys() {
    const cutoff = this.now() - IDEMPOTENCY_TTL_S;
    for (const [key, stored] of this.idempotency) if (stored.createdAt < cutoff) this.idempotency.delete(key);
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

  /** Runs one API call; errors become Stripe's error response (and are stored with the idempotency key, as Stripe does). */
  private async execute(method: string, url: URL, params: Record<string, any>, request: RequestInfo) {
    try {
      return { status: 200, body: this.route(method, url.pathname, params, request) };
    } catch (err) {
      const error = err instanceof EmulatorApiError ? err : new EmulatorApiError(500, 'api_error', (err as Error).message);
      return { status: error.status, body: error.body() };
    }
  }

  private route(method: string, path: string, params: Record<string, any>, request: RequestInfo): unknown {
    const s = this.store;
    const parts = path.split('/').filter(Boolean); // v1, resource, ...
    const expand = new Set<string>(([] as string[]).concat(params.expand ?? []));
    this.store.expireDue();
    const route = `${method} /${parts.slice(1).map((p) => (ROUTE_WORDS.has(p) ? p : ':id')).join('/')}`;
    switch (route) {
      case 'POST /checkout/sessions':
        return this.expandSession(s.createSession(params, request), expand);
      case 'GET /checkout/sessions':
        return list(
          path,
          [...s.sessions.values()].filter(
            (x) =>
              (!params.payment_intent || x.payment_intent === params.payment_intent) &&
              (!params.status || x.status === params.status) &&
              (!params.client_reference_id || x.client_reference_id === params.client_reference_id),
          ),
          params,
        );
      case 'GET /checkout/sessions/:id':
        return this.expandSession(s.session(parts[3]), expand);
      case 'GET /checkout/sessions/:id/line_items':
        return list(path, s.lineItems(parts[3]), params);
      case 'POST /checkout/sessions/:id/expire':
        return this.expandSession(s.expireSession(parts[3], request), expand);
      case 'GET /payment_intents/:id':
        return s.paymentIntent(parts[2]);
      case 'GET /charges/:id':
        return s.chargeById(parts[2]);
      case 'POST /refunds':
        return s.createRefund(params, request);
      case 'GET /refunds':
        return list(
          path,
          [...s.refunds.values()].filter(
            (r) => (!params.payment_intent || r.payment_intent === params.payment_intent) && (!params.charge || r.charge === params.charge),
          ),
          params,
        );
      case 'GET /refunds/:id':
        return s.refund(parts[2]);
      case 'GET /events':
        return list(path, s.events.filter((e) => this.eventMatches(e, params)), params);
      case 'GET /events/:id':
        return s.event(parts[2]);
      default:
        throw new EmulatorApiError(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path}).`);
    }
  }

  private expandSession(session: Stripe.Checkout.Session, expand: Set<string>): unknown {
    const out: Record<string, unknown> = { ...session };
    if (expand.has('payment_intent') && session.payment_intent) out.payment_intent = this.store.paymentIntent(session.payment_intent as string);
    if (expand.has('line_items')) out.line_items = list(`/v1/checkout/sessions/${session.id}/line_items`, this.store.lineItems(session.id), {});
    return out;
  }

  private eventMatches(event: Stripe.Event, params: Record<string, any>): boolean {
    if (params.type) {
      const pattern = new RegExp(`^${String(params.type).replace(/\./g, '\\.').replace(/\*/g, '.*')}$`);
      if (!pattern.test(event.type)) return false;
    }
    const created = params.created;
    if (created !== undefined) {
      if (typeof created === 'object') {
        if (created.gte !== undefined && event.created < Number(created.gte)) return false;
        if (created.gt !== undefined && event.created <= Number(created.gt)) return false;
        if (created.lte !== undefined && event.created > Number(created.lte)) return false;
        if (created.lt !== undefined && event.created >= Number(created.lt)) return false;
      } else if (event.created !== Number(created)) return false;
    }
    if (params.delivery_success !== undefined) {
      const wanted = String(params.delivery_success) === 'true';
      if ((this.eventDelivered(event.id) ?? false) !== wanted) return false;
    }
    return true;
  }

  // ---------------------------------------------------------------- hosted checkout pages

  private page(req: http.IncomingMessage, res: http.ServerResponse, url: URL, raw: string) {
    const [, , , sessionId, step] = url.pathname.split('/');
    const session = this.store.sessions.get(sessionId ?? '');
    if (!session) {
      html(res, 404, '<h1>Checkout session not found</h1>');
      return;
    }
    this.store.expireDue();
    const description = this.store.sessionExtras.get(session.id)!.lineItems.map((li) => li.description).join(', ');
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
      } else if (form.iban) {
        const outcome = ibanOutcome(form.iban);
        if (!outcome) {
          html(res, 400, checkoutPage(session, description, 'This IBAN is not a test IBAN. Use DE89370400440532013000 or DE62370400440532013001.'));
          return;
        }
        result = this.store.pay(session.id, outcome, 'sepa_debit', form.email);
      } else {
        if (!form.card_number) {
          html(res, 400, checkoutPage(session, description, 'Your card number is incomplete.'));
          return;
        }
        result = this.store.pay(session.id, cardOutcome(form.card_number), 'card', form.email);
      }
    } catch (err) {
      html(res, 400, checkoutPage(session, description, (err as Error).message));
      return;
    }
    if (result === 'success') redirect(res, successUrlFor(session));
    else if (result === 'requires_action') html(res, 200, authenticationPage(session));
    else {
      const intent = this.store.paymentIntent(session.payment_intent as string);
      html(res, 402, checkoutPage(session, description, intent.last_payment_error?.message ?? 'Your card was declined.'));
    }
  }
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

/** Stripe's list object, newest first, with `limit` (1..100, default 10) and `starting_after`. */
function list<T extends { id?: string | null; created?: number }>(path: string, items: T[], params: Record<string, any>) {
  const limit = params.limit === undefined ? 10 : Number(params.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw invalidRequest('Invalid limit: must be between 1 and 100', 'limit');
  const ordered = [...items].reverse();
  let start = 0;
  if (params.starting_after) {
    const at = ordered.findIndex((x) => x.id === params.starting_after);
    if (at < 0) throw invalidRequest(`No such object: '${params.starting_after}'`, 'starting_after');
    start = at + 1;
  }
  const data = ordered.slice(start, start + limit);
  return { object: 'list', data, has_more: start + limit < ordered.length, url: path };
}
