/**
 * How the service serves the admin console (src/http/admin-console.ts): the page
 * under the strict Content Security Policy with its configuration as data, the
 * built assets cached for good, the development token only on the development
 * secret, a clear 503 while the console is not built, and the pages' rate budget.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { adminConsoleRoutes } from '../../src/http/admin-console';
import { ConsoleCheckDocument } from '../graphql/generated';
import { startProductionServer } from '../edge/support';
import { startTestServer, type TestServer } from '../support/test-server';

const ROOT = path.join(__dirname, '..', '..');

let server: TestServer;
beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'admin-build.js')], { cwd: ROOT, stdio: 'pipe' });
  server = await startTestServer();
}, 120_000);
afterAll(() => server.close());

const configOf = (html: string) => JSON.parse(/<script id="admin-config" type="application\/json">(.*?)<\/script>/.exec(html)![1]) as { developmentToken: boolean };
const assetsOf = (html: string) => [...html.matchAll(/(?:src|href)="(\/admin\/assets\/[^"]+)"/g)].map((m) => m[1]);

it('serves the built page under the strict policy, uncached, saying no development token here', async () => {
  const res = await fetch(`${server.url}/admin`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(res.headers.get('cache-control')).toBe('no-store');
  const csp = res.headers.get('content-security-policy')!;
  expect(csp).toMatch(/script-src 'self'(;|$)/);
  expect(csp).toMatch(/style-src 'self'(;|$)/);
  expect(csp).toMatch(/connect-src 'self'(;|$)/);
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
  expect(res.headers.get('ratelimit-limit')).toBe('300'); // the pages budget
  const html = await res.text();
  expect(configOf(html)).toEqual({ developmentToken: false });
  // no inline code: every script is a file of this service
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)(?![^>]*type="application\/json")[^>]*>/);
  expect(html).not.toMatch(/style=/);
});

it('serves each built asset with its type, cached for good; nothing else under /admin/assets', async () => {
  const html = await (await fetch(`${server.url}/admin`)).text();
  const assets = assetsOf(html);
  expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
  expect(assets.some((a) => a.endsWith('.css'))).toBe(true);
  for (const asset of assets) {
    const res = await fetch(`${server.url}${asset}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(asset.endsWith('.js') ? /^text\/javascript|^application\/javascript/ : /^text\/css/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
  }
  expect((await fetch(`${server.url}/admin/assets/nope.js`)).status).toBe(404);
  // out of the assets folder, or the folder itself: refused (@fastify/send answers 403), nothing of the file
  for (const outside of ['/admin/assets/%2e%2e/index.html', '/admin/assets/%2e%2e/.build-fingerprint', '/admin/assets/']) {
    const res = await fetch(`${server.url}${outside}`);
    expect([403, 404]).toContain(res.status);
    expect(await res.text()).not.toMatch(/<!doctype|[0-9a-f]{64}/i);
  }
  const slash = await fetch(`${server.url}/admin/`, { redirect: 'manual' });
  expect([slash.status, slash.headers.get('location')]).toEqual([301, '/admin']);
});

it('hands out a development token only on the built-in development secret; it is an ADMIN token for an hour', async () => {
  expect((await fetch(`${server.url}/admin/development-token`, { method: 'POST' })).status).toBe(404);
  const development = await startTestServer({ JWT_SECRET: '' });
  try {
    expect(configOf(await (await fetch(`${development.url}/admin`)).text())).toEqual({ developmentToken: true });
    const res = await fetch(`${development.url}/admin/development-token`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { token } = (await res.json()) as { token: string };
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sub: string; role: string; iat: number; exp: number };
    expect(claims).toMatchObject({ sub: 'developer', role: 'ADMIN' });
    expect(claims.exp - claims.iat).toBe(3600);
    const check = await development.gql(ConsoleCheckDocument, {}, { token });
    expect(check.errors).toBeUndefined();
  } finally {
    await development.close();
  }
});

it('in production: the console is served, the development token is not', async () => {
  const production = await startProductionServer();
  try {
    const page = await fetch(`${production.url}/admin`);
    expect(page.status).toBe(200);
    expect(configOf(await page.text())).toEqual({ developmentToken: false });
    expect((await fetch(`${production.url}/admin/development-token`, { method: 'POST' })).status).toBe(404);
  } finally {
    await production.close();
  }
});

it('says how to build the console when it is not built (503), instead of a bare 404', async () => {
  const empty = mkdtempSync(path.join(tmpdir(), 'admin-unbuilt-'));
  const app = Fastify();
  await app.register(adminConsoleRoutes({ developmentToken: async () => null, buildDir: empty }));
  try {
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(`${url}/admin`);
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/npm run admin:build/);
    expect((await fetch(`${url}/admin/assets/index.js`)).status).toBe(404);
  } finally {
    await app.close();
    rmSync(empty, { recursive: true, force: true });
  }
});
