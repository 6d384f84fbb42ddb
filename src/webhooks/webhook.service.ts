/**
 * Stripe events, exactly once: each event is decoded into facts at the edge
 * (src/stripe/stripe-facts.ts), recorded by its id and applied in the same
 * transaction as its effects. A duplicate (or a concurrent copy, which waits on
 * the event row's lock) finds it processed and changes nothing; a failure rolls
 * everything back, is noted on the event row, and is processed again on the
 * next delivery. Stripe calls the effects imply run after the commit.
 */
import { createHash } from 'node:crypto';
import type Stripe from 'stripe';
import type { Log } from '../common/log';
import type { Clock } from '../common/clock';
import type { PrismaClient } from '../db';
import { WebhookEventResult } from '../db';
import type { UnitOfWork } from '../lifecycle/work';
import type { Link, SettlementService } from '../settlement/settlement.service';
import { factsFromEvent } from '../stripe/stripe-facts';

export type WebhookOutcome = 'processed' | 'ignored' | 'duplicate';

export const EVENT_RETENTION_DAYS = 90;

export class WebhookService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly work: UnitOfWork,
    private readonly settlement: SettlementService,
    private readonly clock: Clock,
  ) {}

  async process(event: Stripe.Event, rawBody: Buffer, log: Log): Promise<WebhookOutcome> {
    const payloadSha256 = createHash('sha256').update(rawBody).digest('hex');
    const row = { id: event.id, type: event.type, payloadSha256, stripeCreatedAt: new Date(event.created * 1000) };
    try {
      // reads from Stripe that the event alone cannot settle happen before the transaction
      const facts = await this.settlement.prepare(factsFromEvent(event));
      const cause = { source: 'WEBHOOK' as const, actorId: 'stripe', actorRole: 'STRIPE', stripeEventId: event.id };
      return await this.work.run(cause, log, async (work) => {
        await work.tx.webhookEvent.createMany({ data: [{ ...row, receivedAt: work.now }], skipDuplicates: true });
        // concurrent deliveries of one event queue here; the later ones find it processed
        await work.tx.$queryRaw`SELECT id FROM webhook_events WHERE id = ${event.id} FOR UPDATE`;
        const recorded = await work.tx.webhookEvent.findUniqueOrThrow({ where: { id: event.id } });
        if (recorded.processedAt) return 'duplicate';
        let link: Link | null = null;
        for (const fact of facts) link = (await this.settlement.apply(work, fact)) ?? link;
        const result = link ? WebhookEventResult.PROCESSED : WebhookEventResult.IGNORED;
        await work.tx.webhookEvent.update({
          where: { id: event.id },
          data: { processedAt: work.now, result, error: null, reservationId: link?.reservationId ?? null, paymentId: link?.paymentId ?? null },
        });
        return link ? 'processed' : 'ignored';
      });
    } catch (err) {
      // Everything above rolled back; leave a trace for operators, unprocessed, so a redelivery runs it.
      // (A concurrent copy that did process it is left alone: only unprocessed rows are marked.)
      const error = String((err as Error).message ?? err).slice(0, 1000);
      await this.prisma.webhookEvent
        .createMany({ data: [{ ...row, receivedAt: this.clock.now() }], skipDuplicates: true })
        .then(() =>
          this.prisma.webhookEvent.updateMany({ where: { id: event.id, processedAt: null }, data: { result: WebhookEventResult.FAILED, error } }),
        )
        .catch(() => undefined);
      throw err;
    }
  }

  async purgeOldEvents(): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - EVENT_RETENTION_DAYS * 86_400_000);
    const { count } = await this.prisma.webhookEvent.deleteMany({ where: { receivedAt: { lt: cutoff } } });
    return count;
  }
}
