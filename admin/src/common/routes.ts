/**
 * Screens are addressed by the URL's fragment (#/payments?status=…,
 * #/reservations/RES-…, #/reservations/RES-…/refund/<payment id>): the service
 * serves one page at /admin whatever the screen, links can be shared and
 * bookmarked, and Back works. Three routes do not need a router library.
 */
export type Route =
  | { screen: 'payments'; query: URLSearchParams }
  | { screen: 'reservation'; reservationId: string; refundPaymentId: string | null }
  | { screen: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const [path, search = ''] = hash.replace(/^#/, '').split('?', 2);
  let parts: string[];
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return { screen: 'not-found', path }; // a malformed escape typed into the address bar
  }
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'payments')) return { screen: 'payments', query: new URLSearchParams(search) };
  if (parts[0] === 'reservations' && parts.length === 2) return { screen: 'reservation', reservationId: parts[1], refundPaymentId: null };
  if (parts[0] === 'reservations' && parts.length === 4 && parts[2] === 'refund') {
    return { screen: 'reservation', reservationId: parts[1], refundPaymentId: parts[3] };
  }
  return { screen: 'not-found', path };
}

export const hrefs = {
  payments: (query?: URLSearchParams) => `#/payments${query && [...query.keys()].length ? `?${query.toString()}` : ''}`,
  reservation: (id: string) => `#/reservations/${encodeURIComponent(id)}`,
  refund: (reservationId: string, paymentId: string) => `#/reservations/${encodeURIComponent(reservationId)}/refund/${encodeURIComponent(paymentId)}`,
};
