import { Client } from 'pg';
import { JOBS } from '../../src/jobs/job-runner';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ JOBS_ENABLED: 'true' });
});
afterAll(() => server.close());

it('schedules every background job in the database job queue (pg-boss) with a PostgreSQL server, or on timers when embedded', async () => {
  const runner = server.app.jobs!;
  if (server.db.embedded) {
    expect(runner.kind).toBe('timers');
    return;
  }
  expect(runner.kind).toBe('pg-boss');
  const client = new Client({ connectionString: server.db.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; cron: string }>('SELECT name, cron FROM pgboss.schedule ORDER BY name');
    expect(rows).toEqual(JOBS.map((j) => ({ name: j.name, cron: j.cron })).sort((a, b) => a.name.localeCompare(b.name)));
  } finally {
    await client.end();
  }
});
