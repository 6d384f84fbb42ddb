/**
 * The built-in payment result pages, served while PUBLIC_URL is unset
 * (development and the emulator) at the default success and cancel URLs of
 * src/payments/checkout-urls.ts. Plain HTML with one small inline script that
 * subscribes to the page's view over the WebSocket (graphql-ws's client, no
 * framework); the page is readable and current without it too. Access: see
 * page-access.ts (the same capability opens the page and its subscription).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { escapeHtml } from '../common/html';
import { CSP, cspFor } from '../http/security-headers';
import { RESERVATION_ID_PATTERN } from '../reservations/reservation-id';
import type { PageAccess } from './page-access';
import type { PaymentResultService, PaymentResultView, ResultPage } from './payment-result.service';

/**
 * The page's live update: the paymentResultChanged subscription over the
 * service's WebSocket (graphql-ws's own browser client, served from the package),
 * opened by the page's capability in connectionParams; it pushes the page's view
 * at every change until a final state. The client reconnects by itself.
 */
const LIVE_SCRIPT = `(function () {
  var region = document.getElementById('status');
  function show(view) {
    document.getElementById('title').textContent = view.title;
    document.getElementById('detail').textContent = view.detail;
    region.setAttribute('data-state', view.processing ? 'PROCESSING' : view.state);
    region.setAttribute('data-final', String(view.final));
    document.title = view.title + ' · booking payment';
    return view.final;
  }
  if (region.getAttribute('data-final') === 'true' || !window.graphqlWs) return;
  var client = graphqlWs.createClient({
    url: (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql',
    connectionParams: { pageAccess: region.getAttribute('data-access') },
    retryAttempts: Infinity
  });
  var stop = client.subscribe({
    query: 'subscription ($id: ID!, $page: PaymentResultPage!) { paymentResultChanged(reservationId: $id, page: $page) { state processing title detail final } }',
    variables: { id: region.getAttribute('data-reservation'), page: region.getAttribute('data-page') }
  }, {
    next: function (result) {
      if (result.data && show(result.data.paymentResultChanged)) { stop(); client.dispose(); }
    },
    error: function () { client.dispose(); },
    complete: function () {}
  });
})();`;

/** graphql-ws's browser build (UMD, global `graphqlWs`), from the installed package: no CDN. */
const GRAPHQL_WS_CLIENT = readFileSync(join(dirname(require.resolve('graphql-ws/package.json')), 'umd/graphql-ws.min.js'));
export const GRAPHQL_WS_CLIENT_PATH = '/payment-pages/graphql-ws.js';

const PAGE_STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1a1f36;background:#fff}
h1{font-size:1.6rem;margin:0 0 .5rem}#status{border:2px solid #635bff;border-radius:8px;padding:1rem 1.25rem}
.muted{color:#4f566b}a{color:#3d35c9}`;

const PAGE_CSP = cspFor(CSP.inlineOnly(LIVE_SCRIPT, PAGE_STYLE));

interface PageParams {
  Params: { reservationId: string };
  Querystring: { access?: string; page?: string };
}

function page(reservationId: string, which: ResultPage, view: PaymentResultView, access: string): string {
  const heading = which === 'success' ? 'Payment result' : 'Payment cancelled';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(view.title)} · booking payment</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<main>
<p class="muted">${escapeHtml(heading)} · reservation ${escapeHtml(reservationId)}</p>
<section id="status" role="status" aria-live="polite" aria-atomic="true" data-state="${view.processing ? 'PROCESSING' : view.state}" data-final="${view.final}" data-reservation="${escapeHtml(reservationId)}" data-page="${which.toUpperCase()}" data-access="${escapeHtml(access)}">
<h1 id="title">${escapeHtml(view.title)}</h1>
<p id="detail">${escapeHtml(view.detail)}</p>
</section>
<noscript><p><a href="">Reload this page</a> to see the latest state.</p></noscript>
</main>
<script src="${GRAPHQL_WS_CLIENT_PATH}"></script>
<script>${LIVE_SCRIPT}</script>
</body>
</html>
`;
}

const NOT_AVAILABLE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Page not available</title></head>
<body><main><h1>This payment page is not available</h1><p>The link is incomplete or no longer valid.</p></main></body></html>
`;

export function paymentResultRoutes(deps: { access: PageAccess; results: PaymentResultService }) {
  const allowed = (params: PageParams['Params'], query: PageParams['Querystring']) =>
    RESERVATION_ID_PATTERN.test(params.reservationId) && deps.access.allows(params.reservationId, query.access);
  const notAvailable = (reply: FastifyReply) =>
    reply.code(404).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_AVAILABLE);

  return async (app: FastifyInstance) => {
    for (const which of ['success', 'cancelled'] as const) {
      app.get<PageParams>(`/reservations/:reservationId/payment/${which}`, { helmet: PAGE_CSP }, async (request, reply) => {
        const { reservationId } = request.params;
        if (!allowed(request.params, request.query)) return notAvailable(reply);
        const view = await deps.results.view(reservationId, which);
        if (!view) return notAvailable(reply);
        return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page(reservationId, which, view, request.query.access!));
      });
    }
    app.get(GRAPHQL_WS_CLIENT_PATH, async (_request, reply) =>
      reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(GRAPHQL_WS_CLIENT),
    );
    // the same view, one-off (the pages themselves subscribe)
    app.get<PageParams>('/reservations/:reservationId/payment/state', async (request, reply) => {
      if (!allowed(request.params, request.query)) return reply.code(404).send({ error: 'not available' });
      const view = await deps.results.view(request.params.reservationId, request.query.page === 'cancelled' ? 'cancelled' : 'success');
      if (!view) return reply.code(404).send({ error: 'not available' });
      return reply.header('cache-control', 'no-store').send(view);
    });
  };
}
