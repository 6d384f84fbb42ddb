/**
 * Security headers on every route (helmet), with a Content Security
 * Policy per kind of page. The API and everything else get the strict one
 * (same-origin only, no inline code, no framing); pages that need more name it:
 *  - GraphiQL (/graphiql) runs on our own files, but its editor injects styles;
 *  - Apollo Sandbox (GET /graphql, development only) loads from Apollo's CDN and
 *    frames Apollo's sandbox, with inline bootstrap scripts;
 *  - the payment result pages allow exactly their own inline script and style, by hash.
 * The admin console (/admin) runs under the strict policy: a built bundle of
 * same-origin files, no inline code or style.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';
import type { FastifyInstance } from 'fastify';

/** A route's own header policy: `app.get(url, { helmet: cspFor(CSP.graphiql) }, …)`. */
export type HeaderPolicy = HelmetOptions;

declare module 'fastify' {
  interface RouteShorthandOptions {
    helmet?: HeaderPolicy;
  }
  interface FastifyContextConfig {
    headerPolicy?: HeaderPolicy;
  }
}

type Directives = Record<string, string[] | null>;

const STRICT: Directives = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'", 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  // served over plain http on a developer's machine; HSTS covers https deployments
  'upgrade-insecure-requests': null,
};

const APOLLO_CDN = ['https://embeddable-sandbox.cdn.apollographql.com', 'https://apollo-server-landing-page.cdn.apollographql.com'];

export const CSP: {
  strict: Directives;
  graphiql: Directives;
  sandbox: Directives;
  inlineOnly(script: string, style: string): Directives;
} = {
  strict: STRICT,
  graphiql: { ...STRICT, 'style-src': ["'self'", "'unsafe-inline'"] },
  sandbox: {
    ...STRICT,
    'script-src': ["'self'", "'unsafe-inline'", ...APOLLO_CDN],
    'style-src': ["'self'", "'unsafe-inline'", 'https://fonts.googleapis.com', ...APOLLO_CDN],
    'font-src': ["'self'", 'data:', 'https://fonts.gstatic.com'],
    'img-src': ["'self'", 'data:', ...APOLLO_CDN],
    'manifest-src': ["'self'", ...APOLLO_CDN],
    'frame-src': ['https://sandbox.embed.apollographql.com'],
    'connect-src': ["'self'", 'https://*.apollographql.com'],
  },
  /** a page whose only code is the given inline script and style, allowed by their SHA-256 */
  inlineOnly(script: string, style: string): Directives {
    return { ...STRICT, 'script-src': ["'self'", hashSource(script)], 'style-src': ["'self'", hashSource(style)] };
  },
};

export function hashSource(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The route option that gives one route its own policy: `{ helmet: cspFor(CSP.graphiql) }`. */
export const cspFor = (directives: Directives): HeaderPolicy => ({ contentSecurityPolicy: { useDefaults: false, directives } });

type SetHeaders = (request: IncomingMessage, response: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * helmet's middleware is made once per policy, when routes are registered.
 * (@fastify/helmet builds it again on every request, with two hooks: 3% of a
 * paymentStatus request's CPU in the benchmark's profile.)
 */
export async function registerSecurityHeaders(app: FastifyInstance, options: { sandbox: boolean }): Promise<void> {
  const made = new Map<HeaderPolicy, SetHeaders>();
  const middlewareFor = (policy: HeaderPolicy): SetHeaders => {
    let setHeaders = made.get(policy);
    if (!setHeaders) {
      setHeaders = helmet(policy) as SetHeaders;
      made.set(policy, setHeaders);
    }
    return setHeaders;
  };
  const strict = cspFor(CSP.strict);
  const sandbox = cspFor(CSP.sandbox);
  app.addHook('onRoute', (route) => {
    // GET /graphql is registered by Apollo's integration: its policy is given here
    const policy = route.helmet ?? (options.sandbox && route.url === '/graphql' ? sandbox : strict);
    route.config = { ...route.config, headerPolicy: policy } as typeof route.config;
    middlewareFor(policy);
  });
  const failed = (err: unknown) => {
    if (err) throw err;
  };
  app.addHook('onRequest', (request, reply, done) => {
    middlewareFor(request.routeOptions.config.headerPolicy ?? strict)(request.raw, reply.raw, failed);
    done();
  });
}
