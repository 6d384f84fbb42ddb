/**
 * POST /webhooks/stripe, registered in the server's raw-body scope: the exact
 * bytes are verified with the Stripe SDK against every configured secret
 * (rotation), tolerance 300 s. Bad input is a 400 with a short reason, never a
 * 5xx, and records nothing. An IP that keeps failing the signature check is
 * refused (429) for the rest of the minute, before any check.
 */
import type { FastifyPluginAsync } from 'fastify';
import Stripe from 'stripe';
import type { WebhookRouteOptions } from '../http/server';
import { eventFormatProblem } from './stripe-event-format';
import type { WebhookWorker } from './webhook-worker';
import type { WebhookService } from './webhook.service';

export const SIGNATURE_TOLERANCE_S = 300;

export function webhookRoutes(deps: {
  stripe: Stripe;
  secrets: () => string[];
  service: WebhookService;
  worker: Pick<WebhookWorker, 'enqueue'>;
}): FastifyPluginAsync<WebhookRouteOptions> {
  return async (scope, { signatureFailures }) => {
    scope.post('/webhooks/stripe', async (request, reply) => {
      const blocked = await signatureFailures.blocked(request, reply);
      if (blocked) return reply.code(429).send(blocked.body());
      const body = request.body;
      if (!Buffer.isBuffer(body) || body.length === 0) return reply.code(400).send({ error: 'empty body' });
      const signature = request.headers['stripe-signature'];
      if (typeof signature !== 'string' || !signature) {
        await signatureFailures.record(request);
        return reply.code(400).send({ error: 'missing Stripe-Signature header' });
      }
      let event: Stripe.Event | undefined;
      let reason = 'signature does not match';
      for (const secret of deps.secrets()) {
        try {
          event = deps.stripe.webhooks.constructEvent(body, signature, secret, SIGNATURE_TOLERANCE_S);
          break;
        } catch (err) {
          if (err instanceof Stripe.errors.StripeSignatureVerificationError) {
            if (/tolerance/i.test(err.message)) reason = 'signature timestamp outside the tolerance zone';
            continue;
          }
          // signed, but not JSON
          return reply.code(400).send({ error: 'body is not a Stripe event' });
        }
      }
      if (!event) {
        await signatureFailures.record(request);
        request.log.warn({ reason }, 'webhook refused');
        return reply.code(400).send({ error: reason });
      }
      const problem = eventFormatProblem(event);
      if (problem) {
        request.log.warn({ reason: problem }, 'webhook refused: not a Stripe event');
        return reply.code(400).send({ error: problem });
      }
      // durably received once this statement has committed: only then the 2xx; processing follows from the database
      let receipt;
      try {
        receipt = await deps.service.receive(event, body);
      } catch (err) {
        request.log.error({ err, stripeEventId: event.id }, 'webhook event could not be recorded; Stripe will deliver it again');
        return reply.code(500).send({ error: 'not recorded; retry later' });
      }
      if (receipt === 'received') deps.worker.enqueue(event.id);
      request.log.info({ stripeEventId: event.id, stripeEventType: event.type, receipt }, 'webhook event received');
      return reply.code(200).send({ received: true, duplicate: receipt === 'duplicate' });
    });
  };
}
