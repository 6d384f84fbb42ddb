/**
 * The explorers. Apollo Sandbox stays at GET /graphql in development, but it is
 * loaded from Apollo's CDN, so offline it only says it cannot be loaded; its
 * page then points to GraphiQL at GET /graphiql, which is served from the
 * installed npm packages (graphiql and React's UMD builds): no CDN, no network.
 *
 * GraphiQL's Authorization header is prefilled with a fresh one-hour ADMIN
 * token when the service runs on the built-in development secret (never in
 * production, which refuses that secret): such tokens are anyone's to mint.
 * With a real JWT_SECRET the page explains how to get a token instead.
 * Subscriptions run over the WebSocket of /graphql: GraphiQL's fetcher sends the
 * Headers tab (Authorization) as the connection's connectionParams.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { FastifyInstance } from 'fastify';
import { jsonForScript } from '../common/html';
import { CSP, cspFor } from './security-headers';

const SAMPLE_QUERY = `# Try a reservation id from createReservation (ADMIN) or your own.
# Live: replace \`query PaymentStatus\` by \`subscription PaymentStatusChanged\` and
# \`paymentStatus\` by \`paymentStatusChanged\`: the current state comes at once, then
# every change (over the WebSocket; the Authorization header goes with it).
query PaymentStatus($reservationId: ID!) {
  paymentStatus(reservationId: $reservationId) {
    state
    canRetry
    attemptsRemaining
    amountPaid
    amountRefunded
    reservation { id status holdExpiresAt }
    attempts { attempt status failureCode checkoutUrl expiresAt }
  }
}
`;

/** Our bootstrap: reads the page's JSON config and renders GraphiQL (no inline script, for the CSP). */
const BOOTSTRAP_JS = `(function () {
  var config = JSON.parse(document.getElementById('graphiql-config').textContent);
  var headers = config.token ? JSON.stringify({ Authorization: 'Bearer ' + config.token }, null, 2) : '';
  // subscriptions over the WebSocket on the same path; GraphiQL sends the Headers tab as connectionParams
  var fetcher = GraphiQL.createFetcher({
    url: config.endpoint,
    subscriptionUrl: (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + config.endpoint
  });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: config.query,
    defaultHeaders: headers,
    initialHeaders: headers,
    shouldPersistHeaders: false,
    defaultEditorToolsVisibility: 'headers'
  }));
})();
`;

const PAGE_CSS = `html, body { height: 100%; margin: 0; }
#graphiql { height: 100vh; }
.notice { font: 14px system-ui, sans-serif; margin: 0; padding: .4rem 1rem; background: #fff8e1; color: #3e2c00; }`;

interface Asset {
  type: string;
  body: Buffer | string;
}

/** A file of an installed package (by its folder: the packages' export maps do not list their UMD builds). */
function packageFile(pkg: string, file: string): Buffer {
  return readFileSync(join(dirname(require.resolve(`${pkg}/package.json`)), file));
}

function loadAssets(): Record<string, Asset> {
  return {
    'react.js': { type: 'text/javascript', body: packageFile('react', 'umd/react.production.min.js') },
    'react-dom.js': { type: 'text/javascript', body: packageFile('react-dom', 'umd/react-dom.production.min.js') },
    'graphiql.js': { type: 'text/javascript', body: packageFile('graphiql', 'graphiql.min.js') },
    'graphiql.css': { type: 'text/css', body: packageFile('graphiql', 'graphiql.min.css') },
    'explorer.js': { type: 'text/javascript', body: BOOTSTRAP_JS },
    'explorer.css': { type: 'text/css', body: PAGE_CSS },
  };
}

function graphiqlPage(token: string | null): string {
  const notice = token
    ? 'Development: the Authorization header holds a one-hour ADMIN token.'
    : 'Add a header <code>{"Authorization": "Bearer &lt;token&gt;"}</code>; mint one with <code>npm run token -- --sub &lt;user&gt; --role ADMIN</code>.';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL · booking payment API</title>
<link rel="stylesheet" href="/graphiql/assets/graphiql.css">
<link rel="stylesheet" href="/graphiql/assets/explorer.css">
</head>
<body>
<p class="notice">${notice}</p>
<main id="graphiql" aria-label="GraphiQL">Loading GraphiQL…</main>
<script id="graphiql-config" type="application/json">${jsonForScript({ endpoint: '/graphql', token, query: SAMPLE_QUERY })}</script>
<script src="/graphiql/assets/react.js"></script>
<script src="/graphiql/assets/react-dom.js"></script>
<script src="/graphiql/assets/graphiql.js"></script>
<script src="/graphiql/assets/explorer.js"></script>
</body>
</html>
`;
}

export interface ExplorerOptions {
  /** a fresh development token for the page, or null when none may be handed out */
  developmentToken: () => Promise<string | null>;
}

/** GET /graphiql and its assets. */
export async function registerGraphiQL(app: FastifyInstance, options: ExplorerOptions): Promise<void> {
  const assets = loadAssets();
  app.get('/graphiql', { helmet: cspFor(CSP.graphiql) }, async (_request, reply) => {
    const token = await options.developmentToken();
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(graphiqlPage(token));
  });
  app.get<{ Params: { asset: string } }>('/graphiql/assets/:asset', async (request, reply) => {
    const asset = Object.hasOwn(assets, request.params.asset) ? assets[request.params.asset] : undefined;
    if (!asset) return reply.code(404).send({ error: 'no such asset' });
    return reply.type(`${asset.type}; charset=utf-8`).header('cache-control', 'public, max-age=3600').send(asset.body);
  });
}

const OFFLINE_NOTE =
  '<p>This API also serves an explorer that works offline: <a href="/graphiql">GraphiQL at /graphiql</a>.</p>';

/** Apollo's Sandbox landing page, with a pointer to GraphiQL where it says it cannot load. */
export function sandboxLandingPage<TContext extends object>(): ApolloServerPlugin<TContext> {
  const sandbox = ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }) as ApolloServerPlugin<TContext>;
  const withNote = (html: string) =>
    /<div class="fallback">[\s\S]*?<\/div>/.test(html)
      ? html.replace(/(<div class="fallback">[\s\S]*?)(<\/div>)/, `$1${OFFLINE_NOTE}$2`)
      : html.replace(/<body[^>]*>/, (body) => `${body}${OFFLINE_NOTE}`);
  return {
    async serverWillStart(service) {
      const listener = await sandbox.serverWillStart?.(service);
      const render = listener?.renderLandingPage;
      if (!render) return listener;
      return {
        ...listener,
        async renderLandingPage() {
          const page = await render.call(listener);
          const html = page.html;
          return { html: typeof html === 'string' ? withNote(html) : async () => withNote(await html()) };
        },
      };
    },
  };
}
