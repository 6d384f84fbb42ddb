/**
 * `npm run bench`: prints the figures behind SPEC.md's budgets. Runs the service
 * in-process with the built-in Stripe emulator, on DATABASE_URL (a scratch
 * database is created and dropped) or the embedded database.
 *   - paymentStatus p50/p99 with 50 concurrent clients   (budget: p99 < 25 ms)
 *   - webhook acknowledgement p50/p99                   (budget: p99 < 200 ms)
 *   - createCheckoutSession overhead over the Stripe call (budget: < 50 ms)
 *   - 500 concurrent checkout sessions                   (budget: all succeed)
 *   - live status: memory per subscribed socket, and the fan-out latency (p50/p99)
 *     from a change's commit to its delivery on 1,000 sockets (100 per reservation)
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import readline from 'node:readline';
import { createClient, type Client } from 'graphql-ws';
import Stripe from 'stripe';
import WebSocket from 'ws';
import { signToken } from '../src/auth/token-verifier';
import { createScratchDatabase, dropDatabase } from './lib/scratch-database';

const SECRET = 'bench-secret-bench-secret-bench-secret!';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
function summary(name: string, samples: number[], budget?: string) {
  const s = [...samples].sort((a, b) => a - b);
  const line = `${name.padEnd(44)} n=${String(s.length).padStart(5)}  p50=${percentile(s, 50).toFixed(1).padStart(7)} ms  p99=${percentile(s, 99).toFixed(1).padStart(7)} ms  max=${s[s.length - 1].toFixed(1).padStart(7)} ms`;
  console.log(budget ? `${line}  (budget: ${budget})` : line);
}

async function pool<T>(n: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

async function main() {
  const base = process.env.DATABASE_URL;
  const url = base ? await createScratchDatabase(base, 'bpa_bench') : undefined;
  // the service runs in its own process (with its in-process emulator); this one only generates load
  const child = spawn(process.execPath, ['--expose-gc', '-r', 'ts-node/register/transpile-only', path.join(__dirname, 'bench-server.ts')], {
    env: { ...process.env, JWT_SECRET: SECRET, DATABASE_URL: url ?? '', DATA_DIR: path.join(require('node:os').tmpdir(), `bpa-bench-${process.pid}`) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  // the service answers on stdout, one JSON line per command, in order
  const waiting: Array<{ resolve: (line: string) => void; reject: (err: Error) => void }> = [];
  readline.createInterface({ input: child.stdout! }).on('line', (line) => waiting.shift()?.resolve(line));
  child.once('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`bench server exited with ${code}`));
  });
  const nextLine = () => new Promise<string>((resolve, reject) => waiting.push({ resolve, reject }));
  const first = await nextLine();
  const { url: api, emulatorPort, webhookSecret } = JSON.parse(first) as { url: string; emulatorPort: number; webhookSecret: string };
  const emulator = { port: emulatorPort, webhookSecret };
  const admin = await signToken(SECRET, { id: 'bench-admin', role: 'ADMIN' });
  const guest = await signToken(SECRET, { id: 'bench-guest', role: 'GUEST' });
  console.log(`database: ${url ? 'PostgreSQL' : 'embedded PGlite'}; Node ${process.version}; service and load generator in separate processes`);

  const gql = async (query: string, variables: object, token: string) => {
    const res = await fetch(`${api}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: Record<string, any>; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data!;
  };
  const createReservation = async () =>
    (
      await gql(
        'mutation($i: CreateReservationInput!) { createReservation(input: $i) { id } }',
        { i: { guestId: 'bench-guest', description: 'Bench room', checkIn: new Date(Date.now() + 30 * 864e5).toISOString(), checkOut: new Date(Date.now() + 32 * 864e5).toISOString(), amount: 20000 } },
        admin,
      )
    ).createReservation.id as string;
  const checkout = (id: string) =>
    gql('mutation($i: CreateCheckoutSessionInput!) { createCheckoutSession(input: $i) { sessionId } }', { i: { reservationId: id } }, guest);

  // first, on a service that has done nothing else yet (its memory is then easiest to read)
  const ask = async <T>(command: object): Promise<T> => {
    const line = nextLine();
    child.stdin!.write(`${JSON.stringify(command)}\n`);
    return JSON.parse(await line) as T;
  };
  await benchLiveStatus({ api, admin, guest, createReservation, ask });

  // paymentStatus: one reservation with three attempts and refunds
  const statusId = await createReservation();
  await checkout(statusId);
  const statusQuery = 'query($id: ID!) { paymentStatus(reservationId: $id) { state attemptCount canRetry amountPaid attempts { id status refunds { id } } refunds { id } } }';
  await pool(200, 50, () => gql(statusQuery, { id: statusId }, guest)); // warm-up
  const timeStatus = async () => {
    const t = performance.now();
    await gql(statusQuery, { id: statusId }, guest);
    return performance.now() - t;
  };
  summary('paymentStatus, 1 client', await pool(1000, 1, timeStatus));
  summary('paymentStatus, 10 concurrent clients', await pool(3000, 10, timeStatus));
  const started = performance.now();
  const statusTimes = await pool(5000, 50, timeStatus);
  summary('paymentStatus, 50 concurrent clients', statusTimes, 'p99 < 25 ms');
  console.log(`  throughput at 50 clients: ${(5000 / ((performance.now() - started) / 1000)).toFixed(0)} req/s`);

  // webhook acknowledgement: signed deliveries of an event type the service records and ignores
  const signer = new Stripe('sk_test_bench');
  const webhookTimes = await pool(2000, 20, async () => {
    const body = JSON.stringify({ id: `evt_bench_${randomUUID()}`, object: 'event', type: 'customer.created', created: Math.floor(Date.now() / 1000), data: { object: { id: 'cus_bench', object: 'customer' } } });
    const t = performance.now();
    const res = await fetch(`${api}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signer.webhooks.generateTestHeaderString({ payload: body, secret: emulator.webhookSecret }) },
      body,
    });
    await res.text();
    return performance.now() - t;
  });
  summary('webhook acknowledged, 20 concurrent senders', webhookTimes, 'p99 < 200 ms');

  // createCheckoutSession overhead: the mutation vs the bare Stripe call it makes
  const stripe = new Stripe('sk_test_bench', { host: '127.0.0.1', port: emulator.port, protocol: 'http' });
  const ids = await pool(200, 10, () => createReservation());
  const mutationTimes: number[] = [];
  for (const id of ids) {
    const t = performance.now();
    await checkout(id);
    mutationTimes.push(performance.now() - t);
  }
  const bareTimes: number[] = [];
  for (let i = 0; i < 200; i += 1) {
    const t = performance.now();
    await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ quantity: 1, price_data: { currency: 'eur', unit_amount: 20000, product_data: { name: 'Bench room' } } }],
      expires_at: Math.floor(Date.now() / 1000) + 31 * 60,
      success_url: 'http://localhost:3000/ok',
      cancel_url: 'http://localhost:3000/cancel',
      metadata: { bench: 'true' },
    });
    bareTimes.push(performance.now() - t);
  }
  summary('createCheckoutSession (sequential)', mutationTimes);
  summary('bare Stripe session create (same emulator)', bareTimes);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`createCheckoutSession overhead (median difference): ${(median(mutationTimes) - median(bareTimes)).toFixed(1)} ms (budget: < 50 ms)`);

  // 500 concurrent checkout sessions
  const many = await pool(500, 25, () => createReservation());
  const t0 = performance.now();
  const sessions = await Promise.all(many.map((id) => checkout(id).then((d) => d.createCheckoutSession.sessionId as string)));
  const distinct = new Set(sessions).size;
  console.log(`500 checkout sessions started at once: ${distinct} distinct open sessions in ${((performance.now() - t0) / 1000).toFixed(1)} s (budget: 500)`);
  const rss = require('node:fs').readFileSync(`/proc/${child.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1];
  if (rss) console.log(`service process memory after the run: rss ${(Number(rss) / 1024).toFixed(0)} MiB`);

  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  if (url) await dropDatabase(url);
}

/**
 * Live status: 1,000 sockets (graphql-ws's client, one subscription each, 100
 * per reservation). Memory per socket: the service's heap, external and RSS
 * after full collections, before and after (a warm-up round of 50 sockets
 * first). Fan-out latency: the service commits a unit of work touching a
 * reservation (the NOTIFY every state change sends) and reports the instant of
 * its commit; each socket's delivery of the re-read state is timed from it
 * (wall clocks of two processes on one machine), one reservation at a time
 * (100 sockets) and then all ten at once (1,000 sockets).
 */
async function benchLiveStatus(deps: {
  api: string;
  admin: string;
  guest: string;
  createReservation: () => Promise<string>;
  ask: <T>(command: object) => Promise<T>;
}) {
  type Memory = { memory: { rss: number; heapUsed: number; external: number } };
  const SOCKETS = 1000;
  const PER_RESERVATION = 100;
  const reservations = await pool(SOCKETS / PER_RESERVATION, 5, () => deps.createReservation());
  const wsUrl = `${deps.api.replace(/^http/, 'ws')}/graphql`;
  const query = 'subscription($id: ID!) { paymentStatusChanged(reservationId: $id) { state attemptCount canRetry amountPaid attempts { id status } } }';
  const now = () => performance.timeOrigin + performance.now();

  /** n sockets on reservations round-robin; resolves once each has its first state */
  const open = async (n: number) => {
    const clients: Client[] = [];
    const deliveries = new Map<string, number[][]>(reservations.map((id) => [id, []]));
    const first: Promise<void>[] = [];
    for (let i = 0; i < n; i += 1) {
      const reservationId = reservations[i % reservations.length];
      const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${i % 2 ? deps.guest : deps.admin}` }, retryAttempts: 0 });
      clients.push(client);
      const arrivals: number[] = [];
      deliveries.get(reservationId)!.push(arrivals);
      first.push(
        new Promise((resolve, reject) => {
          client.subscribe(
            { query, variables: { id: reservationId } },
            {
              next: (result) => {
                if (result.errors) reject(new Error(JSON.stringify(result.errors)));
                arrivals.push(now());
                resolve();
              },
              error: reject,
              complete: () => undefined,
            },
          );
        }),
      );
    }
    await Promise.all(first);
    return { clients, deliveries };
  };

  const warmUp = await open(50);
  await Promise.all(warmUp.clients.map((c) => c.dispose()));
  const before = (await deps.ask<Memory>({ memory: true })).memory;
  const t0 = performance.now();
  const { clients, deliveries } = await open(SOCKETS);
  const subscribedIn = performance.now() - t0;
  const after = (await deps.ask<Memory>({ memory: true })).memory;
  const perSocket = (bytes: number) => `${(bytes / SOCKETS / 1024).toFixed(1)} KiB`;
  console.log(
    `live status: ${SOCKETS} sockets subscribed (each with its current state) in ${(subscribedIn / 1000).toFixed(1)} s; service memory per socket: ` +
      `heap ${perSocket(after.heapUsed - before.heapUsed)}, heap+external ${perSocket(after.heapUsed + after.external - before.heapUsed - before.external)}, rss ${perSocket(after.rss - before.rss)}`,
  );

  /** touches reservations in the service; returns each socket's delay from the commit */
  const fanOut = async (ids: string[]) => {
    const counts = new Map(ids.map((id) => [id, deliveries.get(id)!.map((a) => a.length)]));
    const { committed } = await deps.ask<{ committed: Array<{ id: string; at: number }> }>({ touch: ids });
    const delays: number[] = [];
    for (const { id, at } of committed) {
      const sockets = deliveries.get(id)!;
      while (!sockets.every((arrivals, i) => arrivals.length > counts.get(id)![i])) await new Promise((resolve) => setTimeout(resolve, 1));
      for (const [i, arrivals] of sockets.entries()) delays.push(arrivals[counts.get(id)![i]] - at);
    }
    return delays;
  };
  const one: number[] = [];
  for (let round = 0; round < 3; round += 1) for (const id of reservations) one.push(...(await fanOut([id])));
  summary(`fan-out: one change, ${PER_RESERVATION} sockets (commit → socket)`, one);
  const all: number[] = [];
  for (let round = 0; round < 5; round += 1) all.push(...(await fanOut(reservations)));
  summary(`fan-out: ${reservations.length} changes at once, ${SOCKETS} sockets`, all);
  await Promise.all(clients.map((c) => c.dispose()));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
