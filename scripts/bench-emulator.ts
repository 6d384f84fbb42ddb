/** The Stripe emulator for `npm run bench`, as its own process (Stripe is never inside the service's process in production). */
import { startStripeEmulator } from '../src/emulator';

async function main() {
  const emulator = await startStripeEmulator({ webhookRetryDelaysMs: [] });
  process.stdout.write(`${JSON.stringify({ benchReady: true, url: emulator.url, webhookSecret: emulator.webhookSecret })}\n`);
  process.on('SIGTERM', () => void emulator.close().then(() => process.exit(0)));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
