/**
 * `npm run emulator`: the Stripe emulator on its own. Point the service at it with
 * STRIPE_API_URL (and STRIPE_WEBHOOK_SECRET set to the secret printed here).
 *   EMULATOR_PORT             port (default: the one kept in EMULATOR_DATA_DIR, else 12111)
 *   EMULATOR_DATA_DIR         keep the state there across restarts (default: in memory only)
 *   STRIPE_WEBHOOK_URL        where to deliver events, e.g. http://localhost:4000/webhooks/stripe
 *   STRIPE_WEBHOOK_SECRET     signing secret to use (default: a generated whsec_…, kept with the data)
 *   STRIPE_EMULATOR_DELIVERY  in-order (default) | concurrent | duplicating
 */
import { DELIVERY_MODES, EmulatorPortInUseError, startStripeEmulator, type DeliveryMode } from './index';

async function main() {
  const dataDir = process.env.EMULATOR_DATA_DIR || undefined;
  const mode = (process.env.STRIPE_EMULATOR_DELIVERY || 'in-order') as DeliveryMode;
  if (!DELIVERY_MODES.includes(mode)) throw new Error(`STRIPE_EMULATOR_DELIVERY must be one of ${DELIVERY_MODES.join(', ')}`);
  const emulator = await startStripeEmulator({
    port: process.env.EMULATOR_PORT ? Number(process.env.EMULATOR_PORT) : dataDir ? undefined : 12111,
    dataDir,
    webhookSecret: process.env.STRIPE_WEBHOOK_SECRET || undefined,
    webhookDelivery: mode,
    logger: { info: (o, m) => console.log(m ?? '', o), warn: (o, m) => console.warn(m ?? '', o) },
  });
  if (process.env.STRIPE_WEBHOOK_URL) emulator.addWebhookEndpoint(process.env.STRIPE_WEBHOOK_URL);
  console.log(`Stripe emulator listening on ${emulator.url} (${dataDir ? `state kept in ${dataDir}` : 'state in memory only'})`);
  console.log(`  STRIPE_API_URL=${emulator.url}`);
  console.log(`  STRIPE_WEBHOOK_SECRET=${emulator.webhookSecret}`);
  console.log(process.env.STRIPE_WEBHOOK_URL ? `  delivering events to ${process.env.STRIPE_WEBHOOK_URL} (${mode})` : '  no STRIPE_WEBHOOK_URL: events are kept, not delivered');
  const stop = () => {
    void emulator.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err instanceof EmulatorPortInUseError ? err.message : err);
  process.exit(1);
});
