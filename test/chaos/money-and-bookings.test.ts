/**
 * Money and bookings never disagree: a model-based, randomised test (fast-check).
 *
 * Two instances of the service share one PostgreSQL database and one Stripe
 * emulator: instance B runs in this process (the test runs its background jobs),
 * instance A is a separate process that is SIGKILLed and restarted. Random
 * command sequences interleave checkouts, payments (cards that pay, decline or
 * ask for 3-D Secure; delayed SEPA debits that succeed or fail), session
 * expiries, retries, guest and admin refunds (with and without idempotency keys,
 * keys reused with other amounts, bursts of one key on both instances), refunds
 * made in the Stripe Dashboard, webhook deliveries that are delayed, reordered,
 * duplicated and sent to either instance, Stripe faults (429, 500, a hang, an
 * answer lost after the effect) and kills. Stripe never delivers by itself here:
 * the test holds every event and decides when and where it goes.
 *
 * Then everything is allowed to settle (every event delivered, the jobs run),
 * and the invariants are checked against our database and the emulator:
 *  - money refunded at Stripe equals refunded in our rows, never more than paid;
 *  - every attempt and refund agrees with Stripe, and the reservation's status
 *    follows its payments and refunds (the consistency check finds nothing);
 *  - every event is processed or ignored, never lost; no refund stays unconfirmed.
 *
 * CI runs a fixed seed (CHAOS_SEED, CHAOS_RUNS); `npm run test:chaos -- --runs N`
 * runs more with a random seed and prints it, so any failure can be replayed.
 */
import fc from 'fast-check';
import pino from 'pino';
import Stripe from 'stripe';
import { createApp, type App } from '../../src/app';
import { signToken } from '../../src/auth/token-verifier';
import { loadConfig } from '../../src/config';
import type { Database } from '../../src/db';
import { startStripeEmulator, type StripeEmulator } from '../../src/emulator';
import {
  CreateCheckoutSessionDocument,
  CreateReservationDocument,
  RefundPaymentDocument,
  RetryPaymentDocument,
} from '../graphql/generated';
import { payOnCheckoutPage } from '../support/checkout-browser';
import { gqlAt, type GraphQLResponse } from '../support/graphql-client';
import { startServiceProcess, type ServiceProcess } from '../support/service-process';
import { openTestDatabase } from '../support/test-database';
import { TEST_JWT_SECRET, TEST_PUBLIC_URL } from '../support/test-server';

const RUNS = Number(process.env.CHAOS_RUNS ?? 4);
const SEED = Number(process.env.CHAOS_SEED ?? 20261125);
const MAX_COMMANDS = Number(process.env.CHAOS_COMMANDS ?? 30);
const DAY = 86_400_000;

jest.setTimeout(Number(process.env.CHAOS_TIMEOUT_MS ?? 600_000));

/** Answers that a correct service may give to these random requests; anything else fails the run. */
const EXPECTED_CODES = new Set([
  'BAD_USER_INPUT',
  'FORBIDDEN',
  'RESERVATION_NOT_PAYABLE',
  'HOLD_EXPIRED',
  'ALREADY_PAID',
  'RETRY_LIMIT_REACHED',
  'NO_REFUND_DUE',
  'REFUND_EXCEEDS_PAYMENT',
  'ALREADY_REFUNDED',
  'PAYMENT_PROVIDER_ERROR',
  'PAYMENT_PROVIDER_UNAVAILABLE',
  'PAYMENT_PROVIDER_PENDING',
]);

interface Env {
  db: Database;
  emulator: StripeEmulator;
  stripe: Stripe;
  b: App;
  a: ServiceProcess | null;
  aEnv: Record<string, string>;
  admin: string;
  guest: string;
  delivered: Set<string>;
  log: string[];
}

let env: Env;

beforeAll(async () => {
  const db = await openTestDatabase();
  const emulator = await startStripeEmulator({ asyncPaymentDelayMs: 50, webhookRetryDelaysMs: [] });
  const stripe = new Stripe('sk_test_chaos', { host: '127.0.0.1', port: emulator.port, protocol: 'http', maxNetworkRetries: 0 });
  const serviceEnv = {
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    PUBLIC_URL: TEST_PUBLIC_URL,
    JOBS_ENABLED: 'false',
    STRIPE_API_URL: emulator.url,
    STRIPE_WEBHOOK_SECRET: emulator.webhookSecret,
    // short timeouts and one SDK retry: unknown outcomes happen often enough to matter
    STRIPE_TIMEOUT_MS: '400',
    STRIPE_MAX_NETWORK_RETRIES: '1',
  };
  const b = await createApp(loadConfig({ ...serviceEnv, PORT: '0', METRICS_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }), { db, logger: pino({ level: 'silent' }) });
  await b.listen();
  const aEnv = { ...serviceEnv, DATABASE_URL: db.url, LOG_LEVEL: 'info' };
  const a = await startServiceProcess(aEnv);
  env = {
    db,
    emulator,
    stripe,
    b,
    a,
    aEnv,
    admin: await signToken(TEST_JWT_SECRET, { id: 'booking-system', role: 'ADMIN' }),
    guest: await signToken(TEST_JWT_SECRET, { id: 'guest-chaos', role: 'GUEST' }),
    delivered: new Set(),
    log: [],
  };
});

afterAll(async () => {
  await env?.a?.stop();
  await env?.b.close();
  await env?.emulator.close();
  await env?.db.close();
});

// ------------------------------------------------------------------ the model

interface ReservationModel {
  id: string;
  /** the sessions handed out for it, newest last */
  sessions: { url: string; sessionId: string }[];
  /** a key the guest or the admin used, to send again */
  lastKey?: { key: string; amount: number | null };
}
interface Model {
  reservations: ReservationModel[];
}
interface Real {
  startedAt: Date;
  reservations: string[];
}

type Target = 'A' | 'B';

function urlOf(target: Target): string | null {
  return target === 'A' ? (env.a?.url ?? null) : env.b.url!;
}

/** A GraphQL call on one instance; an answer no correct service gives fails the run. A dead instance answers nothing. */
async function call<TData, TVars>(target: Target, document: Parameters<typeof gqlAt<TData, TVars>>[1], variables: TVars, token: string) {
  const url = urlOf(target);
  if (!url) return null;
  let res: GraphQLResponse<TData>;
  try {
    res = await gqlAt(url, document, variables, { token });
  } catch {
    return null; // connection refused or reset: the instance is being killed
  }
  for (const error of res.errors ?? []) {
    const code = String(error.extensions?.code);
    if (!EXPECTED_CODES.has(code)) throw new Error(`unexpected answer from ${target}: ${code} ${error.message}`);
  }
  return res;
}

const pick = <T>(list: T[], index: number): T | undefined => (list.length ? list[index % list.length] : undefined);

class NewReservation implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly checkInDays: number,
    readonly amount: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const checkIn = new Date(Date.now() + this.checkInDays * DAY + 3_600_000);
    const res = await call(
      'B',
      CreateReservationDocument,
      {
        input: {
          guestId: 'guest-chaos',
          description: 'Chaos suite',
          checkIn: checkIn.toISOString(),
          checkOut: new Date(checkIn.getTime() + 2 * DAY).toISOString(),
          amount: this.amount,
        },
      },
      env.admin,
    );
    const id = res!.data!.createReservation.id;
    model.reservations.push({ id, sessions: [] });
    real.reservations.push(id);
  }
  toString = () => `NewReservation(${this.checkInDays}d, ${this.amount})`;
}

class Checkout implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly r: number,
    readonly target: Target,
    readonly retry: boolean,
  ) {}
  check = (m: Readonly<Model>) => m.reservations.length > 0;
  async run(model: Model) {
    const reservation = pick(model.reservations, this.r)!;
    const res = this.retry
      ? await call(this.target, RetryPaymentDocument, { reservationId: reservation.id }, env.guest)
      : await call(this.target, CreateCheckoutSessionDocument, { input: { reservationId: reservation.id } }, env.guest);
    const data = res?.data as { retryPayment?: { url: string; sessionId: string }; createCheckoutSession?: { url: string; sessionId: string } } | undefined | null;
    const session = data?.retryPayment ?? data?.createCheckoutSession;
    if (session && !reservation.sessions.some((s) => s.sessionId === session.sessionId)) reservation.sessions.push(session);
  }
  toString = () => `${this.retry ? 'Retry' : 'Checkout'}(${this.r}, ${this.target})`;
}

const METHODS = ['card_ok', 'decline', 'insufficient', 'sepa_ok', 'sepa_fail', '3ds_ok', '3ds_fail'] as const;
type Method = (typeof METHODS)[number];

class Pay implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly r: number,
    readonly s: number,
    readonly method: Method,
  ) {}
  check = (m: Readonly<Model>) => m.reservations.some((r) => r.sessions.length > 0);
  async run(model: Model) {
    const withSessions = model.reservations.filter((r) => r.sessions.length);
    const session = pick(pick(withSessions, this.r)!.sessions, this.s)!;
    const options: Parameters<typeof payOnCheckoutPage>[1] = {
      card_ok: { card: '4242424242424242' },
      decline: { card: '4000000000000002' },
      insufficient: { card: '4000000000009995' },
      sepa_ok: { iban: 'DE89370400440532013000' },
      sepa_fail: { iban: 'DE62370400440532013001' },
      '3ds_ok': { card: '4000000000003220', threeDS: 'complete' as const },
      '3ds_fail': { card: '4000000000003220', threeDS: 'fail' as const },
    }[this.method];
    await payOnCheckoutPage(session.url, options); // an expired or paid session just says so
  }
  toString = () => `Pay(${this.r}, ${this.s}, ${this.method})`;
}

class ExpireAtStripe implements fc.AsyncCommand<Model, Real> {
  constructor(readonly r: number) {}
  check = (m: Readonly<Model>) => m.reservations.some((r) => r.sessions.length > 0);
  async run(model: Model) {
    const withSessions = model.reservations.filter((r) => r.sessions.length);
    const session = pick(withSessions, this.r)!.sessions.at(-1)!;
    await env.stripe.checkout.sessions.expire(session.sessionId).catch(() => undefined);
  }
  toString = () => `ExpireAtStripe(${this.r})`;
}

type KeyMode = 'none' | 'fresh' | 'again';

function keyFor(reservation: ReservationModel, mode: KeyMode, amount: number | null, salt: number): string | undefined {
  if (mode === 'none') return undefined;
  if (mode === 'again' && reservation.lastKey) return reservation.lastKey.key;
  const key = `chaos-${reservation.id}-${salt}-${Math.random().toString(36).slice(2, 8)}`;
  reservation.lastKey = { key, amount };
  return key;
}

async function paymentOf(reservationId: string) {
  return env.db.prisma.payment.findFirst({
    where: { reservationId, status: { in: ['SUCCEEDED', 'PARTIALLY_REFUNDED', 'REFUNDED'] } },
    orderBy: { attempt: 'desc' },
  });
}

class Refund implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly r: number,
    readonly target: Target,
    readonly asAdmin: boolean,
    readonly share: number | null,
    readonly keyMode: KeyMode,
    readonly burst: boolean,
  ) {}
  check = (m: Readonly<Model>) => m.reservations.length > 0;
  async run(model: Model) {
    const reservation = pick(model.reservations, this.r)!;
    const payment = await paymentOf(reservation.id);
    if (!payment) return;
    const amount = this.asAdmin && this.share !== null ? Math.max(1, Math.round(payment.amount * this.share)) : null;
    const key = keyFor(reservation, this.keyMode, amount, this.r);
    const input = { paymentId: payment.id, ...(amount !== null ? { amount } : {}), ...(key ? { idempotencyKey: key } : {}), reason: 'chaos' };
    const token = this.asAdmin ? env.admin : env.guest;
    if (!this.burst) {
      await call(this.target, RefundPaymentDocument, { input }, token);
      return;
    }
    // one key, sent at once to both instances, three times
    const burstKey = key ?? `burst-${payment.id}-${Math.random().toString(36).slice(2, 8)}`;
    const results = await Promise.all(
      (['A', 'B', 'A'] as Target[]).map((t) => call(t, RefundPaymentDocument, { input: { ...input, idempotencyKey: burstKey } }, token)),
    );
    const ids = new Set(results.map((r) => r?.data?.refundPayment?.id).filter(Boolean));
    if (ids.size > 1) throw new Error(`one idempotency key gave ${ids.size} different refunds`);
  }
  toString = () =>
    `Refund(${this.r}, ${this.target}, ${this.asAdmin ? `admin ${this.share ?? 'policy'}` : 'guest'}, key ${this.keyMode}${this.burst ? ', burst' : ''})`;
}

class DashboardRefund implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly r: number,
    readonly share: number,
  ) {}
  check = (m: Readonly<Model>) => m.reservations.length > 0;
  async run(model: Model) {
    const payment = await paymentOf(pick(model.reservations, this.r)!.id);
    if (!payment?.paymentIntentId) return;
    const amount = Math.max(1, Math.round(payment.amount * this.share));
    await env.stripe.refunds.create({ payment_intent: payment.paymentIntentId, amount }).catch(() => undefined);
  }
  toString = () => `DashboardRefund(${this.r}, ${this.share})`;
}

/** Shuffles with a seeded generator, so a failing run replays exactly. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i -= 1) {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Every event Stripe has made, oldest first: new ones are read newest first until one already known. */
const known: Stripe.Event[] = [];
const knownIds = new Set<string>();
async function undelivered(): Promise<Stripe.Event[]> {
  const fresh: Stripe.Event[] = [];
  for await (const event of env.stripe.events.list({ limit: 100 })) {
    if (knownIds.has(event.id)) break;
    fresh.push(event);
  }
  for (const event of fresh.reverse()) {
    known.push(event);
    knownIds.add(event.id);
  }
  return known.filter((e) => !env.delivered.has(e.id));
}

/** One signed delivery, as Stripe makes it; true when the instance took it (2xx). */
async function deliver(event: Stripe.Event, target: Target): Promise<boolean> {
  const url = urlOf(target);
  if (!url) return false;
  const payload = JSON.stringify(event);
  const signature = env.stripe.webhooks.generateTestHeaderString({ payload, secret: env.emulator.webhookSecret });
  try {
    const res = await fetch(`${url}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body: payload });
    await res.arrayBuffer();
    if (res.status >= 400 && res.status < 500) throw new Error(`instance ${target} refused a genuine event (${res.status})`);
    return res.ok;
  } catch (err) {
    if (String(err).includes('refused a genuine event')) throw err;
    return false;
  }
}

class Deliver implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly count: number,
    readonly order: number,
    readonly duplicate: boolean,
    readonly target: Target,
    readonly parallel: boolean,
  ) {}
  check = () => true;
  async run() {
    const pending = (await undelivered()).slice(0, this.count);
    const batch = shuffled(pending, this.order);
    const copies = this.duplicate ? [...batch, ...batch.slice(0, Math.ceil(batch.length / 2))] : batch;
    const send = async (event: Stripe.Event, i: number) => {
      if (await deliver(event, i % 3 === 2 ? (this.target === 'A' ? 'B' : 'A') : this.target)) env.delivered.add(event.id);
    };
    if (this.parallel) await Promise.all(copies.map(send));
    else for (const [i, event] of copies.entries()) await send(event, i);
  }
  toString = () => `Deliver(${this.count}, order ${this.order}, ${this.duplicate ? 'with duplicates, ' : ''}to ${this.target}${this.parallel ? ', in parallel' : ''})`;
}

const FAULT_PATHS = ['/v1/checkout/sessions', '/v1/refunds', /^\/v1\/checkout\/sessions\/[^/]+\/expire$/, /^\/v1\/checkout\/sessions\/[^/]+$/] as const;
const FAULT_KINDS = ['rate_limit', 'api_error', 'timeout', 'lost_answer'] as const;

class Fault implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly kind: (typeof FAULT_KINDS)[number],
    readonly path: number,
    readonly times: number,
  ) {}
  check = () => true;
  async run() {
    const path = FAULT_PATHS[this.path];
    const method = typeof path === 'string' || this.path === 2 ? 'POST' : 'GET';
    env.emulator.faults.inject({ method, path, kind: this.kind, times: this.times, hangMs: 1000 });
  }
  toString = () => `Fault(${this.kind}, ${String(FAULT_PATHS[this.path])}, ×${this.times})`;
}

class KillA implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly r: number,
    readonly afterMs: number,
  ) {}
  check = (m: Readonly<Model>) => m.reservations.length > 0;
  async run(model: Model) {
    const reservation = pick(model.reservations, this.r)!;
    const payment = await paymentOf(reservation.id);
    // something in flight on A when it dies: a refund if there is a payment, else a checkout
    const inFlight = payment
      ? call('A', RefundPaymentDocument, { input: { paymentId: payment.id, amount: 1, idempotencyKey: `kill-${payment.id}-${this.afterMs}` } }, env.admin)
      : call('A', CreateCheckoutSessionDocument, { input: { reservationId: reservation.id } }, env.guest);
    const settled = inFlight.catch(() => null);
    await new Promise((resolve) => setTimeout(resolve, this.afterMs)); // where the kill lands is part of the random input
    await env.a?.kill();
    env.a = null;
    await settled;
    env.a = await startServiceProcess(env.aEnv);
  }
  toString = () => `KillA(${this.r}, after ${this.afterMs} ms)`;
}

class RunJobs implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run() {
    await runJobs();
  }
  toString = () => 'RunJobs()';
}

async function runJobs(): Promise<void> {
  const r = env.b.reconciliation;
  await r.completeUnconfirmedRefunds(0);
  await r.reconcilePendingPayments(0);
  await r.endSessionlessClaims();
}

const reservationIndex = fc.nat({ max: 7 });
const target = fc.constantFrom<Target>('A', 'B');
const share = fc.constantFrom(0.01, 0.25, 0.5, 1, 1.01);
const weighted = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });
type Command = fc.AsyncCommand<Model, Real>;
const COMMAND: fc.Arbitrary<Command> = fc.oneof(
  weighted(2, fc.tuple(fc.constantFrom(3, 10, 20, 40), fc.constantFrom(5000, 24000, 100_001)).map(([d, a]) => new NewReservation(d, a))),
  weighted(4, fc.tuple(reservationIndex, target, fc.boolean()).map(([r, t, retry]) => new Checkout(r, t, retry))),
  weighted(5, fc.tuple(reservationIndex, fc.nat({ max: 3 }), fc.constantFrom(...METHODS)).map(([r, s, m]) => new Pay(r, s, m))),
  weighted(1, reservationIndex.map((r) => new ExpireAtStripe(r))),
  weighted(
    5,
    fc
      .tuple(reservationIndex, target, fc.boolean(), fc.option(share, { nil: null }), fc.constantFrom<KeyMode>('none', 'fresh', 'again'), fc.boolean())
      .map(([r, t, admin, s, k, burst]) => new Refund(r, t, admin, s, k, burst && admin)),
  ),
  weighted(1, fc.tuple(reservationIndex, share).map(([r, s]) => new DashboardRefund(r, s))),
  weighted(5, fc.tuple(fc.integer({ min: 1, max: 12 }), fc.nat(), fc.boolean(), target, fc.boolean()).map(([n, o, d, t, p]) => new Deliver(n, o, d, t, p))),
  weighted(2, fc.tuple(fc.constantFrom(...FAULT_KINDS), fc.nat({ max: FAULT_PATHS.length - 1 }), fc.integer({ min: 1, max: 3 })).map(([k, p, n]) => new Fault(k, p, n))),
  weighted(1, fc.constant(new RunJobs())),
  weighted(Number(process.env.CHAOS_KILL_WEIGHT ?? 1), fc.tuple(reservationIndex, fc.integer({ min: 0, max: 60 })).map(([r, ms]) => new KillA(r, ms))),
);
/** Each run starts with a few reservations, each with a session, so that most commands find something to act on. */
const OPENING: Command[] = [new NewReservation(40, 24000), new NewReservation(10, 5000), new NewReservation(3, 100_001), new Checkout(0, 'A', false), new Checkout(1, 'B', false), new Checkout(2, 'A', false)];

// ------------------------------------------------------------------ settling and the invariants

async function settle(real: Real): Promise<void> {
  env.emulator.faults.clear();
  if (!env.a) env.a = await startServiceProcess(env.aEnv);
  for (let round = 0; round < 10; round += 1) {
    // delayed debits still processing settle on the emulator's side first
    await eventuallyTrue(async () => {
      const sessions = await env.stripe.checkout.sessions.list({ limit: 100, status: 'complete' }).autoPagingToArray({ limit: 10_000 });
      // (only this run's, below)
      for (const session of sessions.filter((s) => real.reservations.includes(s.client_reference_id ?? '') && s.payment_status === 'unpaid')) {
        const intent = await env.stripe.paymentIntents.retrieve(session.payment_intent as string);
        if (intent.status === 'processing') return false;
      }
      return true;
    });
    const pending = await undelivered();
    for (const event of pending) {
      if (!(await deliver(event, 'B'))) throw new Error(`event ${event.id} (${event.type}) is still refused once Stripe is healthy`);
      env.delivered.add(event.id);
    }
    // received is not processed: every event must be processed, including retries after a backoff
    await eventuallyTrue(async () => {
      await env.b.webhookWorker.drain();
      return (await env.db.prisma.webhookEvent.count({ where: { processedAt: null } })) === 0;
    }, 60_000);
    await runJobs();
    if (!pending.length && !(await undelivered()).length) return;
  }
  throw new Error('the system did not settle in 10 rounds');
}

async function eventuallyTrue(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function assertInvariants(real: Real): Promise<void> {
  const { prisma } = env.db;
  const report = await env.b.consistency.check(
    { from: new Date(real.startedAt.getTime() - 1000), limit: 10_000 },
    { repair: false, cause: { source: 'JOB', actorId: 'chaos', actorRole: 'TEST' }, log: pino({ level: 'silent' }) },
  );
  expect(report.unchecked).toEqual([]);
  expect(report.differences).toEqual([]);

  for (const reservationId of real.reservations) {
    const attempts = await prisma.payment.findMany({ where: { reservationId }, include: { refunds: true } });
    for (const attempt of attempts) {
      const held = attempt.refunds.filter((r) => r.status === 'PENDING' || r.status === 'SUCCEEDED').reduce((s, r) => s + r.amount, 0);
      expect({ attempt: attempt.id, held }).toEqual({ attempt: attempt.id, held: attempt.refundedAmount });
      expect(attempt.refundedAmount).toBeLessThanOrEqual(attempt.amount);
      // nothing stays waiting on Stripe once it is healthy and the jobs ran
      expect(attempt.refunds.filter((r) => r.status === 'PENDING' && !r.stripeRefundId)).toEqual([]);
      if (!attempt.paymentIntentId) continue;
      const intent = await env.stripe.paymentIntents.retrieve(attempt.paymentIntentId);
      const chargeId = typeof intent.latest_charge === 'string' ? intent.latest_charge : intent.latest_charge?.id;
      const charge = chargeId ? await env.stripe.charges.retrieve(chargeId) : null;
      const refundedAtStripe = intent.status === 'succeeded' ? (charge?.amount_refunded ?? 0) : 0;
      const accepted = attempt.refunds.filter((r) => r.stripeRefundId && (r.status === 'PENDING' || r.status === 'SUCCEEDED')).reduce((s, r) => s + r.amount, 0);
      expect({ attempt: attempt.id, refundedAtStripe }).toEqual({ attempt: attempt.id, refundedAtStripe: accepted });
      expect(refundedAtStripe).toBeLessThanOrEqual(attempt.amount);
    }
  }
  const unprocessed = await prisma.webhookEvent.findMany({ where: { processedAt: null } });
  expect(unprocessed).toEqual([]);
}

it(`keeps money and bookings in step under random interleavings (seed ${SEED}, ${RUNS} runs)`, async () => {
  process.stdout.write(`chaos: seed ${SEED}, ${RUNS} runs of up to ${MAX_COMMANDS} commands\n`);
  await fc.assert(
    fc.asyncProperty(fc.array(COMMAND, { minLength: Math.min(10, MAX_COMMANDS), maxLength: MAX_COMMANDS }), async (commands) => {
      const real: Real = { startedAt: new Date(), reservations: [] };
      const model: Model = { reservations: [] };
      const ran: string[] = [];
      for (const command of [...OPENING, ...commands]) {
        if (!command.check(model)) continue;
        ran.push(command.toString());
        await command.run(model, real);
      }
      if (process.env.CHAOS_VERBOSE) process.stdout.write(`chaos run: ${ran.join(', ')}\n`);
      await settle(real);
      await assertInvariants(real);
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: process.env.CHAOS_SHRINK !== 'true', verbose: 1 },
  );
});
