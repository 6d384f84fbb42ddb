/**
 * The change notices at the database level, on whichever database the suite
 * runs: a unit of work NOTIFYs each reservation it touched inside its
 * transaction, so the listener hears it after the commit and never after a
 * rollback; a lost listening connection is re-established and announced.
 */
import { systemClock } from '../../src/common/clock';
import type { Database } from '../../src/db';
import { UnitOfWork } from '../../src/lifecycle/work';
import { ChangeListener } from '../../src/live/change-listener';
import { CHANGE_CHANNEL, decodeNotice, encodeNotice, notifyChangesOnCommit } from '../../src/live/change-notice';
import { silentLog } from '../../src/common/log';
import { eventually } from '../support/scenario';
import { openTestDatabase } from '../support/test-database';

let db: Database;
let listener: ChangeListener;
const heard: string[] = [];
let resyncs = 0;

beforeAll(async () => {
  db = await openTestDatabase();
  listener = new ChangeListener(db, { changed: (ids) => heard.push(...ids), resynced: () => (resyncs += 1) }, silentLog, { initialBackoffMs: 20 });
  await listener.start();
});
afterAll(async () => {
  await listener.close();
  await db.close();
});
beforeEach(() => {
  heard.length = 0;
});

const cause = { source: 'JOB' as const, actorId: 'system', actorRole: 'SYSTEM' };

function unitOfWork() {
  const work = new UnitOfWork(db, systemClock);
  notifyChangesOnCommit(work);
  return work;
}

it('a committed unit of work is heard once per touched reservation, ids only', async () => {
  const observed: string[] = [];
  const stop = db.onQuery((e) => observed.push(e.query));
  await unitOfWork().run(cause, silentLog, async (work) => {
    work.touched.add('RES-2026-AAAAAA');
    work.touched.add('RES-2026-BBBBBB');
    work.touched.add('RES-2026-AAAAAA');
    // not heard before the commit, even by this very session
    await new Promise((resolve) => setImmediate(resolve));
    expect(heard).toEqual([]);
  });
  stop();
  await eventually(async () => expect(heard.sort()).toEqual(['RES-2026-AAAAAA', 'RES-2026-BBBBBB']));
  // sent with the COMMIT, in its round trip: one pg_notify per reservation, none before
  const notices = observed.flatMap((q) => q.match(/pg_notify/g) ?? []);
  expect(notices).toHaveLength(2);
  expect(observed.find((q) => /pg_notify/.test(q))).toMatch(/COMMIT$/);
});

it('a unit of work that fails is rolled back, and nobody hears of it', async () => {
  const failing = unitOfWork().run(cause, silentLog, async (work) => {
    work.touched.add('RES-2026-CCCCCC');
    throw new Error('the work failed');
  });
  await expect(failing).rejects.toThrow('the work failed');
  // a later commit is heard: had the first been heard, it would be heard before it
  await unitOfWork().run(cause, silentLog, async (work) => {
    work.touched.add('RES-2026-DDDDDD');
  });
  await eventually(async () => expect(heard).toEqual(['RES-2026-DDDDDD']));
});

it('a unit of work that touches nothing sends nothing', async () => {
  const observed: string[] = [];
  const stop = db.onQuery((e) => observed.push(e.query));
  await unitOfWork().run(cause, silentLog, async (work) => {
    await work.store.sql.raw('SELECT 1');
  });
  stop();
  expect(observed.some((q) => /pg_notify/.test(q))).toBe(false);
});

it('payloads that are not ours are ignored', async () => {
  expect(decodeNotice(encodeNotice({ reservationId: 'RES-2026-AAAAAA' }))).toEqual({ reservationId: 'RES-2026-AAAAAA' });
  for (const payload of ['', 'x', '{}', '{"reservationId":5}', 'null', JSON.stringify({ reservationId: 'x'.repeat(65) })]) {
    expect(decodeNotice(payload)).toBeNull();
  }
  await db.prisma.$executeRaw`SELECT pg_notify(${CHANGE_CHANNEL}, 'not json')`;
  await unitOfWork().run(cause, silentLog, async (work) => {
    work.touched.add('RES-2026-EEEEEE');
  });
  await eventually(async () => expect(heard).toEqual(['RES-2026-EEEEEE']));
});

it('a dropped listening connection is re-established, and the reconnection is announced', async () => {
  const before = listener.connections;
  const resyncsBefore = resyncs;
  const pid = listener.backendPid;
  expect(pid).toEqual(expect.any(Number));
  if (db.embedded) {
    // one session: its connections cannot be terminated; drop ours from the client side
    (listener as unknown as { client: { connection: { stream: { destroy(): void } } } }).client.connection.stream.destroy();
  } else {
    await db.prisma.$queryRaw`SELECT pg_terminate_backend(${pid}::int)`;
  }
  await eventually(async () => {
    expect(listener.connections).toBe(before + 1);
    expect(resyncs).toBe(resyncsBefore + 1);
  });
  await unitOfWork().run(cause, silentLog, async (work) => {
    work.touched.add('RES-2026-FFFFFF');
  });
  await eventually(async () => expect(heard).toEqual(['RES-2026-FFFFFF']));
});

it('where a notice arrives: on a server at the listening connection only; embedded (one session) at the pool connection that committed', async () => {
  const atPool: string[] = [];
  const stop = db.onNotification((channel, payload) => atPool.push(`${channel} ${payload}`));
  await unitOfWork().run(cause, silentLog, async (work) => {
    work.touched.add('RES-2026-GGGGGG');
  });
  await eventually(async () => expect(heard).toEqual(['RES-2026-GGGGGG']));
  stop();
  expect(atPool).toEqual(db.embedded ? [`${CHANGE_CHANNEL} ${encodeNotice({ reservationId: 'RES-2026-GGGGGG' })}`] : []);
});
