/**
 * `npm run emulator`: the Stripe emulator on its own. Point the service at it with
 * STRIPE_API_URL (and STRIPE_WEBHOOK_SECRET set to the secret printed here).
 *   EMULATOR_PORT         port (default 12111)
 *   STRIPE_WEBHOOK_URL    where to deliver events, e.g. http://localhost:4000/webhooks/stripe
 *   STRIPE_WEBHOOK_SECRET signing secret to use (default: a generated whsec_…)
 */
import { startStripeEmulator } from './index';

async function main() {
  const emulator = await startStripeEmulator({
    port: Number(process.env.EMULATOR_PORT ?? 12111),
    webhookSecret: process.env.STRIPE_WEBHOOK_SECRET || undefined,
    logger: { info: (o, m) => console.log(m ?? '', o), warn: (o, m) => console.warn(m ?? '', o) },
  });
  if (process.env.STRIPE_WEBHOOK_URL) emulator.addWebhookEndpoint(process.env.STRIPE_WEBHOOK_URL);
  console.log(`Stripe emulator listening on ${emulator.url} (state in memory only)`);
  console.log(`  STRIPE_API_URL=${emulator.url}`);
  console.log(`  STRIPE_WEBHOOK_SECRET=${emulator.webhookSecret}`);
  console.log(process.env.STRIPE_WEBHOOK_URL ? `  delivering events to ${process.env.STRIPE_WEBHOOK_URL}` : '  no STRIPE_WEBHOOK_URL: events are kept, not delivered');
  const stop = () => {
    void emulator.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
