/**
 * `npm run bench [-- --smoke] [-- --duration 15 --rounds 3 --only payment-status,webhook,checkout,fanout]`
 *
 * The service against bare baselines (bench/baselines), in one run on this
 * machine, so the ratios mean something whatever the machine:
 *  - paymentStatus: the service vs a bare Fastify + pg route doing the same JWT
 *    check and the same SQL statement;
 *  - webhook intake: the service vs a bare route that verifies the signature
 *    with the SDK and inserts the event id (ON CONFLICT DO NOTHING); then the
 *    service's processing throughput and its receipt-to-processed lag at 500/s;
 *  - createCheckoutSession against the emulator: its overhead over the bare SDK
 *    call, and a burst of 5,000 for distinct reservations;
 *  - subscription fan-out, once it exists.
 * `wrk` (Debian's) generates the HTTP load from its own process; it is installed
 * when missing. Baseline and service rounds are interleaved, at 1, 10 and 50
 * connections. Each round reports req/s, p50 and p99 latency, the CPU time the
 * target's Node process and PostgreSQL spent per request, and the target's RSS;
 * the ratios come last. The emulator runs as its own process (as Stripe is not
 * in the service's process in production). `--smoke` (CI) runs short rounds and
 * prints the same table; it is not a gate.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import Stripe from 'stripe';
import WebSocket from 'ws';
import { signToken } from '../src/auth/token-verifier';
import { createScratchDatabase, dropDatabase } from './lib/scratch-database';
import { applyMigrations } from '../src/db/migrations';

const ROOT = path.resolve(__dirname, '..');
const SECRET = 'bench-secret-bench-secret-bench-secret!';
const args = process.argv.slice(2);
const arg = (name: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
};
const SMOKE = args.includes('--smoke');
const DURATION_S = Number(arg('duration') ?? (SMOKE ? 2 : 15));
const ROUNDS = Number(arg('rounds') ?? (SMOKE ? 1 : 3));
const CONNECTIONS = (arg('connections') ?? '1,10,50').split(',').map(Number);
const ONLY = new Set((arg('only') ?? 'payment-status,webhook,checkout,fanout').split(','));
const CHECKOUT_BURST = Number(arg('checkouts') ?? (SMOKE ? 500 : 5000));
const PAYMENT_STATUS_QUERY =
  'query($reservationId: ID!) { paymentStatus(reservationId: $reservationId) { state attemptCount attemptsRemaining canRetry amountPaid amountRefunded reservation { id status holdExpiresAt } attempts { id attempt status amount refundedAmount failureCode checkoutUrl expiresAt refunds { id amount status } } refunds { id amount status policy createdAt } } }';

// ------------------------------------------------------------------ processes and measurement

interface Target {
  name: string;
  url: string;
  pid: number;
  child: ChildProcess;
  /** a command on the process's stdin, answered by a `benchAnswer` line on its stdout (bench-server.ts) */
  ask<T>(command: object): Promise<T>;
}

async function startProcess(name: string, script: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<Target> {
  const compiled = path.join(ROOT, 'dist', script.replace(/\.ts$/, '.js'));
  const child = spawn(process.execPath, [...nodeArgs, compiled], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  // its output: the ready line, answers to commands, and logs (read and dropped, so the pipe never blocks it)
  const answers: Array<(line: string) => void> = [];
  const lines = readline.createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line.includes('"benchReady"')) resolve(line);
      else if (line.includes('"benchAnswer"')) answers.shift()?.(line);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
  const ask = <T>(command: object) =>
    new Promise<T>((resolve) => {
      answers.push((line) => resolve(JSON.parse(line) as T));
      child.stdin!.write(`${JSON.stringify(command)}\n`);
    });
  return { name, url: (JSON.parse(first) as { url: string }).url, pid: child.pid!, child, ask, ...(JSON.parse(first) as object) };
}

async function stop(target: Target): Promise<void> {
  if (target.child.exitCode !== null) return;
  target.child.kill('SIGTERM');
  await new Promise((resolve) => target.child.once('exit', resolve));
}

const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

/** CPU time (ms) a process has used: user + system. */
function cpuMs(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/**
 * A CPU reading of PostgreSQL's share in the bench: the backends of the bench's
 * database and the shared writers (WAL writer, checkpointer, background writer).
 * Other databases' backends on the machine (a test run) are left out; a backend
 * that ends during a round is counted up to the last reading that saw it.
 */
let benchDatabase = '';
type PgCpu = Map<number, number>;
function postgresCpu(): PgCpu {
  const sql = `SELECT pid FROM pg_stat_activity WHERE datname = '${benchDatabase}' OR backend_type IN ('walwriter', 'checkpointer', 'background writer')`;
  const out = spawnSync('psql', [process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres', '-Atc', sql], { encoding: 'utf8' }).stdout.trim();
  const reading: PgCpu = new Map();
  for (const pid of out ? out.split('\n').map(Number) : []) reading.set(pid, cpuMs(pid));
  return reading;
}
/** ms of PostgreSQL CPU between two readings */
function postgresCpuMsBetween(before: PgCpu, after: PgCpu): number {
  let sum = 0;
  for (const [pid, ms] of after) sum += Math.max(0, ms - (before.get(pid) ?? 0));
  return sum;
}

function rssMb(pid: number): number {
  const kb = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1];
  return kb ? Number(kb) / 1024 : 0;
}

interface Round {
  target: string;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  nodeCpuMsPerReq: number;
  pgCpuMsPerReq: number;
  rssMb: number;
  errors: number;
}

const toMs = (value: string, unit: string) => Number(value) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[unit];

const progress = (message: string) => process.stderr.write(`  … ${message}\n`);

function runWrk(target: Target, connections: number, script: string, env: Record<string, string>): Round {
  progress(`${target.name}, ${connections} connections, ${DURATION_S} s`);
  const threads = Math.min(2, connections);
  const cpu0 = cpuMs(target.pid);
  const pg0 = postgresCpu();
  const result = spawnSync('wrk', [`-t${threads}`, `-c${connections}`, `-d${DURATION_S}s`, '--latency', '-s', path.join(ROOT, 'bench/wrk', script), target.url], {
    env: { ...process.env, ...env, BENCH_THREADS: String(threads) },
    encoding: 'utf8',
  });
  const cpu1 = cpuMs(target.pid);
  const pg1 = postgresCpu();
  const out = result.stdout;
  if (result.status !== 0) throw new Error(`wrk failed: ${result.stderr}\n${out}`);
  const total = Number(out.match(/(\d+) requests in/)?.[1] ?? 0);
  const latency = (p: string) => {
    const m = out.match(new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`));
    return m ? toMs(m[1], m[2]) : NaN;
  };
  return {
    target: target.name,
    connections,
    rps: Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? 0),
    p50: latency('50'),
    p99: latency('99'),
    nodeCpuMsPerReq: total ? (cpu1 - cpu0) / total : NaN,
    pgCpuMsPerReq: total ? postgresCpuMsBetween(pg0, pg1) / total : NaN,
    rssMb: rssMb(target.pid),
    errors: Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0) + Number(out.match(/Socket errors: .*timeout (\d+)/)?.[1] ?? 0),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—');

/** Median of the rounds per target and connection count. */
function summarise(rounds: Round[]): Round[] {
  const keys = [...new Set(rounds.map((r) => `${r.target}|${r.connections}`))];
  return keys.map((key) => {
    const of = rounds.filter((r) => `${r.target}|${r.connections}` === key);
    return {
      target: of[0].target,
      connections: of[0].connections,
      rps: median(of.map((r) => r.rps)),
      p50: median(of.map((r) => r.p50)),
      p99: median(of.map((r) => r.p99)),
      nodeCpuMsPerReq: median(of.map((r) => r.nodeCpuMsPerReq)),
      pgCpuMsPerReq: median(of.map((r) => r.pgCpuMsPerReq)),
      rssMb: Math.max(...of.map((r) => r.rssMb)),
      errors: of.reduce((s, r) => s + r.errors, 0),
    };
  });
}

const lines: string[] = [];
const print = (line = '') => {
  console.log(line);
  lines.push(line);
};

function table(title: string, rows: Round[]) {
  print(`\n### ${title}`);
  print('| target | conns | req/s | p50 ms | p99 ms | Node CPU ms/req | PG CPU ms/req | RSS MB | errors |');
  print('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    print(`| ${r.target} | ${r.connections} | ${fmt(r.rps, 0)} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${fmt(r.nodeCpuMsPerReq, 3)} | ${fmt(r.pgCpuMsPerReq, 3)} | ${fmt(r.rssMb, 0)} | ${r.errors} |`);
  }
}

// ------------------------------------------------------------------ the data

async function seedStatusReservations(pool: pg.Pool, n: number): Promise<string[]> {
  // each paid once, partly refunded twice: what a busy paymentStatus reads
  await pool.query(
    `INSERT INTO reservations (id, guest_id, description, check_in, check_out, amount, currency, status, hold_expires_at, created_at, updated_at)
     SELECT 'RES-2030-S' || lpad(i::text, 5, '0'), 'bench-guest', 'Bench room', now() + interval '30 days', now() + interval '32 days', 20000, 'EUR', 'CONFIRMED', now() + interval '1 day', now(), now()
     FROM generate_series(1, $1) i`,
    [n],
  );
  await pool.query(
    `INSERT INTO payments (id, reservation_id, attempt, status, amount, currency, refunded_amount, checkout_session_id, payment_intent_id, checkout_url, expires_at, idempotency_key, created_at, updated_at)
     SELECT gen_random_uuid(), 'RES-2030-S' || lpad(i::text, 5, '0'), 1, 'PARTIALLY_REFUNDED', 20000, 'EUR', 3000, 'cs_bench_s' || i, 'pi_bench_s' || i, 'http://localhost/c/pay/cs_bench_s' || i, now() + interval '30 minutes', 'bench-s-' || i, now(), now()
     FROM generate_series(1, $1) i`,
    [n],
  );
  await pool.query(
    `INSERT INTO refunds (id, payment_id, amount, currency, status, policy, stripe_refund_id, created_at, updated_at)
     SELECT gen_random_uuid(), p.id, x.amount, 'EUR', 'SUCCEEDED', 'ADMIN', 're_bench_' || p.attempt || '_' || x.k || '_' || substr(p.id::text, 1, 8) || p.reservation_id, now(), now()
     FROM payments p CROSS JOIN (VALUES (1, 1000), (2, 2000)) AS x(k, amount) WHERE p.reservation_id LIKE 'RES-2030-S%'`,
  );
  const { rows } = await pool.query<{ id: string }>(`SELECT id FROM reservations WHERE id LIKE 'RES-2030-S%' ORDER BY id`);
  return rows.map((r) => r.id);
}

/** Pending attempts with open sessions, and a signed checkout.session.completed for each (a file of "signature\tbody"). */
async function seedCompletedEvents(pool: pg.Pool, n: number, prefix: string, secret: string, file: string): Promise<void> {
  await pool.query(
    `INSERT INTO reservations (id, guest_id, description, check_in, check_out, amount, currency, status, hold_expires_at, created_at, updated_at)
     SELECT 'RES-2030-' || $2 || lpad(i::text, 5, '0'), 'bench-guest', 'Bench room', now() + interval '30 days', now() + interval '32 days', 20000, 'EUR', 'PENDING', now() + interval '1 day', now(), now()
     FROM generate_series(1, $1) i`,
    [n, prefix],
  );
  const { rows } = await pool.query<{ id: string; reservation_id: string; attempt: number }>(
    `INSERT INTO payments (id, reservation_id, attempt, status, amount, currency, checkout_session_id, checkout_url, expires_at, idempotency_key, created_at, updated_at)
     SELECT gen_random_uuid(), 'RES-2030-' || $2 || lpad(i::text, 5, '0'), 1, 'PENDING', 20000, 'EUR', 'cs_bench_' || $2 || i, 'http://localhost/c/pay/x', now() + interval '30 minutes', 'bench-' || $2 || i, now(), now()
     FROM generate_series(1, $1) i RETURNING id, reservation_id, attempt`,
    [n, prefix],
  );
  const signer = new Stripe('sk_test_bench');
  const out = fs.createWriteStream(file);
  const now = Math.floor(Date.now() / 1000);
  for (const row of rows) {
    const n2 = row.reservation_id.slice(-5);
    const body = JSON.stringify({
      id: `evt_bench_${prefix}${n2}${randomUUID().slice(0, 8)}`,
      object: 'event',
      api_version: '2026-10-28.endive',
      created: now,
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type: 'checkout.session.completed',
      data: {
        object: {
          id: `cs_bench_${prefix}${Number(n2)}`,
          object: 'checkout.session',
          status: 'complete',
          payment_status: 'paid',
          mode: 'payment',
          amount_total: 20000,
          currency: 'eur',
          client_reference_id: row.reservation_id,
          payment_intent: `pi_bench_${prefix}${n2}`,
          metadata: { reservation_id: row.reservation_id, payment_id: row.id, attempt: String(row.attempt) },
        },
      },
    });
    out.write(`${signer.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: now })}\t${body}\n`);
  }
  await new Promise((resolve) => out.end(resolve));
}

// ------------------------------------------------------------------ main

async function main() {
  if (spawnSync('which', ['wrk']).status !== 0) {
    console.log('wrk is missing: installing Debian’s package');
    const install = spawnSync('bash', ['-c', 'apt-get install -y wrk >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y wrk >/dev/null)'], { stdio: 'inherit' });
    if (install.status !== 0) throw new Error('could not install wrk (apt-get install -y wrk)');
  }
  console.log('building (tsc -b, incremental)…');
  execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });

  const base = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const url = await createScratchDatabase(base, 'bpa_bench');
  benchDatabase = new URL(url).pathname.slice(1);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const client = await pool.connect();
  await applyMigrations(client);
  client.release();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bpa-bench-'));
  const targets: Target[] = [];
  const start = async (...a: Parameters<typeof startProcess>) => {
    const t = await startProcess(...a);
    targets.push(t);
    return t;
  };
  try {
    print(`# npm run bench — ${new Date().toISOString()}, ${os.cpus().length} cores, ${DURATION_S} s × ${ROUNDS} rounds, connections ${CONNECTIONS.join('/')}${SMOKE ? ' (smoke)' : ''}`);
    const emulator = await start('emulator', 'scripts/bench-emulator.ts', {});
    const emulatorInfo = emulator as Target & { webhookSecret: string };
    const commonEnv = {
      // what graphql-js, Fastify and others read to skip development-only checks, as in production
      NODE_ENV: 'production',
      BENCH_LOG_FILE: path.join(work, 'service.log'),
      DATABASE_URL: url,
      JWT_SECRET: SECRET,
      STRIPE_API_URL: emulator.url,
      STRIPE_WEBHOOK_SECRET: emulatorInfo.webhookSecret,
      DATABASE_POOL_SIZE: '10',
    };
    const serviceNodeArgs = ['--expose-gc', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])];
    const service = await start('service', 'scripts/bench-server.ts', commonEnv, serviceNodeArgs);
    const token = await signToken(SECRET, { id: 'bench-admin', role: 'ADMIN' }, { expiresIn: '12h' });
    const ratios: string[] = [];

    if (ONLY.has('payment-status')) {
      const baseline = await start('baseline (Fastify + pg, same SQL)', 'bench/baselines/payment-status.ts', commonEnv);
      const ids = await seedStatusReservations(pool, 1000);
      const idsFile = path.join(work, 'ids.txt');
      fs.writeFileSync(idsFile, ids.join('\n'));
      const env = { BENCH_IDS_FILE: idsFile, BENCH_TOKEN: token, BENCH_QUERY: PAYMENT_STATUS_QUERY.replace(/"/g, '\\"') };
      // the service must answer the query itself, correctly, before it is timed
      const probe = await fetch(`${service.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: PAYMENT_STATUS_QUERY, variables: { reservationId: ids[0] } }),
      }).then((r) => r.json() as Promise<{ data?: { paymentStatus?: { state: string } }; errors?: unknown }>);
      if (probe.data?.paymentStatus?.state !== 'PARTIALLY_REFUNDED') throw new Error(`paymentStatus probe failed: ${JSON.stringify(probe)}`);
      for (const t of [baseline, service]) runWrk(t, 10, 'graphql.lua', { ...env }); // warm-up (JIT, pools, caches)
      const rounds: Round[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        for (const connections of CONNECTIONS) {
          for (const t of round % 2 ? [service, baseline] : [baseline, service]) rounds.push(runWrk(t, connections, 'graphql.lua', env));
        }
      }
      const rows = summarise(rounds);
      table('paymentStatus', rows);
      for (const connections of CONNECTIONS) {
        const b = rows.find((r) => r.target === baseline.name && r.connections === connections)!;
        const s = rows.find((r) => r.target === 'service' && r.connections === connections)!;
        ratios.push(`paymentStatus @${connections}: throughput ${fmt(s.rps / b.rps, 2)}× baseline, p99 ${fmt(s.p99 / b.p99, 2)}× baseline${connections >= 10 ? ' (budget ≥ 0.8× throughput; p99 ≤ 1.5× at 50)' : ''}`);
      }
      await stop(baseline);
    }

    if (ONLY.has('webhook')) {
      const baseline = await start('baseline (verify + insert)', 'bench/baselines/webhook-intake.ts', commonEnv);
      const rounds: Round[] = [];
      let batch = 0;
      // enough distinct events for every round at the baseline's pace
      const perRound = Math.ceil(Math.max(2000, 6000 * DURATION_S) / 1000) * 1000;
      for (let round = 0; round < ROUNDS; round += 1) {
        for (const connections of CONNECTIONS) {
          for (const t of round % 2 ? [service, baseline] : [baseline, service]) {
            batch += 1;
            const file = path.join(work, `events-${batch}.txt`);
            await seedCompletedEvents(pool, perRound, `W${String(batch).padStart(2, '0')}`, emulatorInfo.webhookSecret, file);
            rounds.push(runWrk(t, connections, 'webhook.lua', { BENCH_EVENTS_FILE: file }));
          }
        }
      }
      const rows = summarise(rounds);
      table('webhook intake (checkout.session.completed, each for a pending attempt)', rows);
      for (const connections of CONNECTIONS) {
        const b = rows.find((r) => r.target === baseline.name && r.connections === connections)!;
        const s = rows.find((r) => r.target === 'service' && r.connections === connections)!;
        ratios.push(`webhook intake @${connections}: throughput ${fmt(s.rps / b.rps, 2)}× baseline, p99 ${fmt(s.p99, 1)} ms${connections === 50 ? ' (budget ≥ 0.5×, p99 < 50 ms)' : ''}`);
      }
      await stop(baseline);
      const processing = await measureProcessing(pool, service, emulatorInfo.webhookSecret, work);
      print(`\n### webhook processing`);
      for (const line of processing) print(`- ${line}`);
      ratios.push(...processing);
    }

    if (ONLY.has('checkout')) {
      const lines2 = await measureCheckout(pool, service, emulator, token);
      print(`\n### createCheckoutSession against the emulator`);
      for (const line of lines2) print(`- ${line}`);
      ratios.push(...lines2.filter((l) => l.includes('budget')));
    }

    if (ONLY.has('fanout')) {
      const fan = await measureFanOut(pool, service, token);
      print(`\n### live status (paymentStatusChanged over graphql-ws)`);
      for (const line of fan) print(`- ${line}`);
      ratios.push(...fan.filter((l) => l.startsWith('fan-out')));
    }

    print(`\n### memory`);
    const rssNow = rssMb(service.pid);
    const settled = (await service.ask<{ memory: { rss: number; heapUsed: number; external: number } }>({ memory: true })).memory;
    const mb = (bytes: number) => fmt(bytes / 2 ** 20, 0);
    print(`- service RSS after the run: ${fmt(rssNow, 0)} MB (budget ≤ 200 MB); after full collections: RSS ${mb(settled.rss)} MB, JS heap ${mb(settled.heapUsed)} MB, external ${mb(settled.external)} MB`);
    print(`- emulator (its own process): ${fmt(rssMb(emulator.pid), 0)} MB`);
    ratios.push(`service RSS ${fmt(rssNow, 0)} MB after the run (budget ≤ 200 MB)`);

    print(`\n### ratios`);
    for (const r of ratios) print(`- ${r}`);
  } finally {
    for (const t of targets.reverse()) await stop(t).catch(() => undefined);
    await pool.end();
    await dropDatabase(url).catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (arg('out')) fs.writeFileSync(arg('out')!, `${lines.join('\n')}\n`);
}

/** Processing throughput (a backlog drained) and receipt-to-processed lag at 500 events/s. */
async function measureProcessing(pool: pg.Pool, service: Target, secret: string, work: string): Promise<string[]> {
  const out: string[] = [];
  const waitDrained = async (timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM webhook_events WHERE processed_at IS NULL');
      if (Number(rows[0].n) === 0) return;
      if (Date.now() > deadline) {
        const failed = await pool.query<{ error: string; n: string }>('SELECT error, count(*) AS n FROM webhook_events WHERE processed_at IS NULL GROUP BY error ORDER BY 2 DESC LIMIT 3');
        throw new Error(`${rows[0].n} events still unprocessed: ${JSON.stringify(failed.rows)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  progress('waiting for what the intake rounds left to be processed');
  await waitDrained(120_000);
  // processing alone: a backlog received while the worker is stopped, then timed until it is all processed
  const n = SMOKE ? 2000 : 10_000;
  const file = path.join(work, 'backlog.txt');
  await seedCompletedEvents(pool, n, 'P0', secret, file);
  const events = fs.readFileSync(file, 'utf8').trim().split('\n');
  await service.ask({ worker: 'stop' });
  const t0 = Date.now();
  await sendAll(service.url, events, 50);
  const acked = Date.now();
  const cpu0 = cpuMs(service.pid);
  const pg0 = postgresCpu();
  const t1 = Date.now();
  await service.ask({ worker: 'start' });
  await waitDrained(600_000);
  const done = Date.now();
  const cpuPer = (cpuMs(service.pid) - cpu0) / n;
  const pgPer = postgresCpuMsBetween(pg0, postgresCpu()) / n;
  const { rows: ok } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM payments WHERE reservation_id LIKE 'RES-2030-P0%' AND status = 'SUCCEEDED'`);
  out.push(`intake of the backlog: ${n} events acknowledged in ${fmt((acked - t0) / 1000, 1)} s (${fmt(n / ((acked - t0) / 1000), 0)}/s at 50 senders)`);
  out.push(`processing alone: ${n} checkout.session.completed events (each confirming a reservation) in ${fmt((done - t1) / 1000, 1)} s: ${fmt(n / ((done - t1) / 1000), 0)} events/s (budget ≥ 1,000/s); Node ${fmt(cpuPer, 3)} ms and PostgreSQL ${fmt(pgPer, 3)} ms of CPU per event; ${ok[0].n} attempts SUCCEEDED`);
  // lag at a steady 500 events/s
  const lagN = SMOKE ? 1000 : 5000;
  const lagFile = path.join(work, 'lag.txt');
  await seedCompletedEvents(pool, lagN, 'L0', secret, lagFile);
  const lagEvents = fs.readFileSync(lagFile, 'utf8').trim().split('\n');
  const start = Date.now();
  await Promise.all(
    lagEvents.map(async (line, i) => {
      const due = start + (i * 1000) / 500;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait)); // pacing the load, not synchronising
      await sendAll(service.url, [line], 1);
    }),
  );
  await waitDrained(120_000);
  const { rows } = await pool.query<{ p50: number; p99: number; max: number }>(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99, max(ms) AS max
     FROM (SELECT EXTRACT(EPOCH FROM (processed_at - received_at)) * 1000 AS ms FROM webhook_events e
           JOIN payments p ON p.id = e.payment_id WHERE p.reservation_id LIKE 'RES-2030-L0%') x`,
  );
  out.push(`receipt-to-processed lag at 500 events/s (${lagN} events): p50 ${fmt(Number(rows[0].p50), 1)} ms, p99 ${fmt(Number(rows[0].p99), 1)} ms, max ${fmt(Number(rows[0].max), 1)} ms (budget p99 < 1 s)`);
  return out;
}

async function sendAll(url: string, lines: string[], concurrency: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < lines.length) {
        const line = lines[next++];
        const tab = line.indexOf('\t');
        const res = await fetch(`${url}/webhooks/stripe`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'stripe-signature': line.slice(0, tab) },
          body: line.slice(tab + 1),
        });
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`webhook answered ${res.status}`);
      }
    }),
  );
}

async function measureCheckout(pool: pg.Pool, service: Target, emulator: Target, token: string): Promise<string[]> {
  const out: string[] = [];
  const n = CHECKOUT_BURST;
  await pool.query(
    `INSERT INTO reservations (id, guest_id, description, check_in, check_out, amount, currency, status, hold_expires_at, created_at, updated_at)
     SELECT 'RES-2030-C' || lpad(i::text, 5, '0'), 'bench-guest', 'Bench room', now() + interval '30 days', now() + interval '32 days', 20000, 'EUR', 'PENDING', now() + interval '1 day', now(), now()
     FROM generate_series(1, $1) i`,
    [n + 200],
  );
  const mutation = 'mutation($i: CreateCheckoutSessionInput!) { createCheckoutSession(input: $i) { sessionId } }';
  const call = async (id: string) => {
    const t = performance.now();
    const res = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: mutation, variables: { i: { reservationId: id } } }),
    });
    const body = (await res.json()) as { errors?: unknown };
    return { ms: performance.now() - t, ok: res.ok && !body.errors };
  };
  const id = (i: number) => `RES-2030-C${String(i).padStart(5, '0')}`;
  // overhead: the mutation vs the bare SDK call it makes, sequentially
  const stripe = new Stripe('sk_test_bench', { host: '127.0.0.1', port: Number(new URL(emulator.url).port), protocol: 'http' });
  const mutationMs: number[] = [];
  const bareMs: number[] = [];
  for (let i = 0; i < 200; i += 1) {
    mutationMs.push((await call(id(n + 1 + (i % 200)))).ms);
    const t = performance.now();
    await stripe.checkout.sessions.create({
      mode: 'payment',
      currency: 'eur',
      line_items: [{ quantity: 1, price_data: { currency: 'eur', unit_amount: 20000, product_data: { name: 'Bench room', description: '2 nights' } } }],
      expires_at: Math.floor(Date.now() / 1000) + 31 * 60,
      success_url: 'http://localhost:3000/ok?session_id={CHECKOUT_SESSION_ID}',
      cancel_url: 'http://localhost:3000/cancel',
      client_reference_id: 'RES-2030-BARE00',
      metadata: { reservation_id: 'RES-2030-BARE00', payment_id: randomUUID(), attempt: '1' },
      payment_intent_data: { metadata: { bench: 'true' } },
    }, { idempotencyKey: createHash('sha256').update(randomUUID()).digest('hex') });
    bareMs.push(performance.now() - t);
  }
  out.push(`createCheckoutSession overhead over the bare SDK call (median of 200, sequential): ${fmt(median(mutationMs) - median(bareMs), 1)} ms (mutation ${fmt(median(mutationMs), 1)} ms, bare ${fmt(median(bareMs), 1)} ms; budget < 10 ms)`);
  // a burst of distinct reservations
  const emulatorBefore = rssMb(emulator.pid);
  const t0 = performance.now();
  const results = await Promise.all(Array.from({ length: n }, (_, i) => call(id(i + 1))));
  const seconds = (performance.now() - t0) / 1000;
  const errors = results.filter((r) => !r.ok).length;
  const sorted = results.map((r) => r.ms).sort((a, b) => a - b);
  out.push(`${n} createCheckoutSession calls at once for distinct reservations: ${errors} errors (budget 0), ${fmt(n / seconds, 0)}/s, p50 ${fmt(sorted[Math.floor(n * 0.5)], 0)} ms, p99 ${fmt(sorted[Math.floor(n * 0.99)], 0)} ms`);
  out.push(`emulator holding ${n} more open sessions: RSS ${fmt(emulatorBefore, 0)} → ${fmt(rssMb(emulator.pid), 0)} MB`);
  return out;
}

// a crash or an interrupt must not leave the measured processes running
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

/**
 * Live status: sockets (graphql-ws's client, one subscription each, 100 per
 * reservation). Memory per socket: the service's heap and RSS after full
 * collections, before and after. Fan-out latency: the service commits a unit of
 * work touching a reservation (the NOTIFY every state change sends) and reports
 * the instant of its commit; each socket's delivery of the re-read state is
 * timed from it (two processes' wall clocks on one machine), one reservation at
 * a time and then all at once.
 */
async function measureFanOut(pool: pg.Pool, service: Target, token: string): Promise<string[]> {
  type Memory = { memory: { rss: number; heapUsed: number; external: number } };
  const SOCKETS = SMOKE ? 200 : 1000;
  const PER_RESERVATION = SMOKE ? 20 : 100;
  const { rows } = await pool.query<{ id: string }>(`SELECT id FROM reservations WHERE id LIKE 'RES-2030-S%' ORDER BY id LIMIT $1`, [SOCKETS / PER_RESERVATION]);
  if (!rows.length) await seedStatusReservations(pool, 1000);
  const reservations = rows.length ? rows.map((r) => r.id) : (await pool.query<{ id: string }>(`SELECT id FROM reservations WHERE id LIKE 'RES-2030-S%' ORDER BY id LIMIT $1`, [SOCKETS / PER_RESERVATION])).rows.map((r) => r.id);
  const wsUrl = `${service.url.replace(/^http/, 'ws')}/graphql`;
  const query = 'subscription($id: ID!) { paymentStatusChanged(reservationId: $id) { state attemptCount canRetry amountPaid attempts { id status } } }';
  const now = () => performance.timeOrigin + performance.now();
  const open = async (n: number) => {
    const clients: Client[] = [];
    const deliveries = new Map<string, number[][]>(reservations.map((id) => [id, []]));
    const first: Promise<void>[] = [];
    for (let i = 0; i < n; i += 1) {
      const reservationId = reservations[i % reservations.length];
      const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
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
  const before = (await service.ask<Memory>({ memory: true })).memory;
  const t0 = performance.now();
  const { clients, deliveries } = await open(SOCKETS);
  const subscribedIn = performance.now() - t0;
  const after = (await service.ask<Memory>({ memory: true })).memory;
  const perSocket = (bytes: number) => `${fmt(bytes / SOCKETS / 1024, 1)} KiB`;
  const out = [
    `${SOCKETS} sockets subscribed (each given its current state first) in ${fmt(subscribedIn / 1000, 1)} s; service memory per socket after GC: heap ${perSocket(after.heapUsed - before.heapUsed)}, RSS ${perSocket(after.rss - before.rss)}`,
  ];
  const fanOut = async (ids: string[]) => {
    const counts = new Map(ids.map((id) => [id, deliveries.get(id)!.map((a) => a.length)]));
    const { committed } = await service.ask<{ committed: Array<{ id: string; at: number }> }>({ touch: ids });
    const delays: number[] = [];
    for (const { id, at } of committed) {
      const sockets = deliveries.get(id)!;
      const deadline = Date.now() + 10_000;
      while (!sockets.every((arrivals, i) => arrivals.length > counts.get(id)![i])) {
        if (Date.now() > deadline) throw new Error('a subscriber missed a change');
        await new Promise((resolve) => setTimeout(resolve, 1)); // polling the sockets' arrivals
      }
      for (const [i, arrivals] of sockets.entries()) delays.push(arrivals[counts.get(id)![i]] - at);
    }
    return delays;
  };
  const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
  const one: number[] = [];
  for (let round = 0; round < 3; round += 1) for (const id of reservations) one.push(...(await fanOut([id])));
  out.push(`fan-out, one change to ${PER_RESERVATION} sockets (commit → socket): p50 ${fmt(pct(one, 0.5), 1)} ms, p99 ${fmt(pct(one, 0.99), 1)} ms (${one.length} deliveries)`);
  const all: number[] = [];
  for (let round = 0; round < 5; round += 1) all.push(...(await fanOut(reservations)));
  out.push(`fan-out, ${reservations.length} changes at once to ${SOCKETS} sockets: p50 ${fmt(pct(all, 0.5), 1)} ms, p99 ${fmt(pct(all, 0.99), 1)} ms (${all.length} deliveries)`);
  await Promise.all(clients.map((c) => c.dispose()));
  return out;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
