/**
 * The admin console (admin/: React, built by Vite into dist/admin by
 * scripts/admin-build.js, which `npm start` runs) served by this service:
 *  - GET /admin            the page; the screens are addressed by the URL's fragment
 *  - GET /admin/assets/*   its script and style, content-hashed names, cached for good
 *  - POST /admin/development-token  a fresh one-hour ADMIN token, only where the
 *    service runs on the built-in development secret (the same rule as GraphiQL's
 *    prefilled header); 404 elsewhere
 * The page is built, not rendered here: the service adds one JSON script element
 * (not code: the strict Content Security Policy holds) telling whether the
 * development button may be offered. Files are read from disk per request, so a
 * rebuild while the service runs is served at once. Everything is same-origin: the
 * console calls POST /graphql and the WebSocket of /graphql like any client.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { jsonForScript } from '../common/html';

/** The repository's root: where package.json is, above this file (src/http, or dist/src/http once compiled). */
function projectRoot(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const ADMIN_BUILD_DIR = join(projectRoot(), 'dist', 'admin');

export interface AdminConsoleOptions {
  /** a fresh development ADMIN token, or null when none may be handed out (see app.ts) */
  developmentToken: () => Promise<string | null>;
  /** where the built console is (tests may point elsewhere) */
  buildDir?: string;
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Payments console not built</title></head>
<body><main><h1>The payments console has not been built</h1>
<p>Run <code>npm run admin:build</code> (or <code>npm start</code>, which builds it whenever its sources change), then reload.</p>
</main></body></html>
`;

export function adminConsoleRoutes(options: AdminConsoleOptions): FastifyPluginAsync {
  const buildDir = options.buildDir ?? ADMIN_BUILD_DIR;
  return async (app) => {
    app.get('/admin', async (request, reply) => {
      let page: string;
      try {
        page = readFileSync(join(buildDir, 'index.html'), 'utf8');
      } catch {
        request.log.warn({ buildDir }, 'the admin console is not built: run npm run admin:build');
        return reply.code(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT);
      }
      const config = { developmentToken: (await options.developmentToken()) !== null };
      const element = `<script id="admin-config" type="application/json">${jsonForScript(config)}</script>\n`;
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(page.replace('</head>', `${element}</head>`));
    });
    app.get('/admin/', async (_request, reply) => reply.redirect('/admin', 301));

    await app.register(fastifyStatic, {
      root: join(buildDir, 'assets'),
      prefix: '/admin/assets/',
      decorateReply: false,
      index: false,
      list: false,
      // Vite names each file by its content hash: a new build gets new names
      immutable: true,
      maxAge: '365d',
    });

    app.post('/admin/development-token', async (_request, reply) => {
      const token = await options.developmentToken();
      if (!token) return reply.code(404).send({ error: 'no development token here: the service runs with a real JWT_SECRET, or in production' });
      return reply.header('cache-control', 'no-store').send({ token });
    });
  };
}
