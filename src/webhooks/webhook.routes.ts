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
import type { WebhookService } from './webhook.service';

export const SIGNATURE_TOLERANCE_S = 300;

export function webhookRoutes(deps: { stripe: Stripe; secrets: () => string[]; service: WebhookService }): FastifyPluginAsync<WebhookRouteOptions> {
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
      const log = request.log.child({ stripeEventId: event.id, stripeEventType: event.type });
      try {
        const outcome = await deps.service.process(event, body, log);
        log.info({ outcome }, 'webhook event handled');
        return reply.code(200).send({ received: true, outcome });
      } catch (err) {
        log.error({ err }, 'webhook event failed; Stripe will deliver it again');
        return reply.code(500).send({ error: 'processing failed; retry later' });
      }
    });
  };
}
