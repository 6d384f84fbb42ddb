/**
 * The one human summary printed when the service is ready: where GraphQL, the
 * explorer, the checkout and the database are. For a terminal it is a short
 * block; in JSON logs it is one `ready` record with the same fields.
 */
import type { App } from './app';

export interface StartSummary {
  graphql: string;
  explorer: string;
  checkout: string;
  database: string;
  resultPages?: string;
}

/** postgresql://user:secret@host/db → postgresql://user@host/db: a password is never printed. */
export const withoutPassword = (url: string) => url.replace(/^(\w+:\/\/[^:@/]+):[^@/]*@/, '$1@');

export function startSummary(app: App, publicBase: string): StartSummary {
  const { config, db, emulator } = app;
  const explorer =
    config.env === 'production'
      ? 'off in production'
      : `${publicBase}/graphiql (offline GraphiQL; Apollo Sandbox at ${publicBase}/graphql needs the internet)`;
  const checkout = emulator
    ? `built-in Stripe emulator at ${emulator.url}: sessions' pages are ${emulator.url}/c/pay/<session id>; card 4242 4242 4242 4242 pays`
    : config.stripe.apiUrl
      ? `Stripe-compatible API at ${config.stripe.apiUrl}`
      : 'Stripe (checkout.stripe.com)';
  const database = db.embedded
    ? `embedded PostgreSQL (PGlite) under ${config.dataDir}/ (set DATABASE_URL for a server)`
    : withoutPassword(db.url);
  return {
    graphql: `${publicBase}/graphql`,
    explorer,
    checkout,
    database,
    ...(app.servesResultPages ? { resultPages: `${publicBase}/reservations/<id>/payment/success|cancelled (PUBLIC_URL is unset)` } : {}),
  };
}

export function formatSummary(summary: StartSummary, env: string): string {
  const rows: Array<[string, string | undefined]> = [
    ['GraphQL', summary.graphql],
    ['Explorer', summary.explorer],
    ['Checkout', summary.checkout],
    ['Database', summary.database],
    ['Result pages', summary.resultPages],
  ];
  const lines = rows.filter((row): row is [string, string] => Boolean(row[1])).map(([name, value]) => `  ${name.padEnd(13)}${value}`);
  return `\nBooking payment API ready (${env})\n${lines.join('\n')}\n\n`;
}
