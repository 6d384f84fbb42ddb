import { GetReservationDocument } from '../graphql/generated';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
// the test closes the database itself
afterAll(() => server.app.close());

it('hides an unexpected failure behind a generic message with the correlation id, and readiness reports it', async () => {
  const token = await server.token('admin-1', 'ADMIN');
  // the database goes away under the running service
  await server.db.close();

  const res = await server.gql(GetReservationDocument, { id: 'RES-2026-AAAAAA' }, { token, headers: { 'x-request-id': 'req-broken-db-1' } });
  const error = res.errors?.[0];
  expect(error?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  expect(error?.extensions?.requestId).toBe('req-broken-db-1');
  expect(error?.message).toMatch(/req-broken-db-1/);
  expect(JSON.stringify(res)).not.toMatch(/SELECT|pool|stack|at .*\.ts/i);

  const ready = await fetch(`${server.url}/readyz`);
  expect(ready.status).toBe(503);
});
