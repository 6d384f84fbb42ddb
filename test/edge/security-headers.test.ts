/** @fastify/helmet headers on every route, with the strict policy except where a page names its own. */
import { startTestServer, type TestServer } from '../support/test-server';
import { startProductionServer } from './support';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const COMMON = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'SAMEORIGIN',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

describe('security headers on every route', () => {
  it.each([
    ['GET', '/healthz', undefined],
    ['GET', '/readyz', undefined],
    ['POST', '/graphql', JSON.stringify({ query: '{ __typename }' })],
    ['POST', '/webhooks/stripe', '{}'],
    ['GET', '/graphiql', undefined],
    ['GET', '/graphiql/assets/graphiql.js', undefined],
  ])('%s %s', async (method, path, body) => {
    const res = await fetch(`${server.url}${path}`, { method, body, headers: body ? { 'content-type': 'application/json' } : {} });
    for (const [name, value] of Object.entries(COMMON)) expect(res.headers.get(name)).toBe(value);
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
  });

  it('the API and GraphiQL run no inline script', async () => {
    for (const path of ['/healthz', '/graphiql']) {
      const csp = (await fetch(`${server.url}${path}`)).headers.get('content-security-policy')!;
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).toMatch(/object-src 'none'/);
    }
  });

  it("Sandbox's page (development) may load Apollo's CDN and frame its sandbox, and points to GraphiQL", async () => {
    const res = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src [^;]*https:\/\/embeddable-sandbox\.cdn\.apollographql\.com/);
    expect(csp).toMatch(/frame-src https:\/\/sandbox\.embed\.apollographql\.com/);
    const html = await res.text();
    expect(html).toMatch(/cannot be loaded[\s\S]*<a href="\/graphiql">GraphiQL at \/graphiql<\/a>/);
  });
});

describe('in production', () => {
  it('serves neither explorer, keeps the strict policy on /graphql, and refuses introspection', async () => {
    const production = await startProductionServer();
    try {
      expect((await fetch(`${production.url}/graphiql`)).status).toBe(404);
      const landing = await fetch(`${production.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(await landing.text()).not.toMatch(/sandbox/i);
      const res = await fetch(`${production.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __schema { types { name } } }' }),
      });
      expect(res.headers.get('content-security-policy')).not.toMatch(/apollographql/);
      expect(res.status).toBe(400);
    } finally {
      await production.close();
    }
  });
});
