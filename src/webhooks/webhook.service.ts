/**
 * Stripe events, received durably and processed exactly once.
 *
 * Intake (the HTTP route) is one statement: the verified event is inserted by its
 * id (a duplicate delivery inserts nothing) and committed; only then does the
 * route answer 2xx, so a 2xx always means "durably received".
 *
 * Processing (the worker, webhook-worker.ts) takes one event at a time by its id
 * with FOR UPDATE SKIP LOCKED, so any number of workers and instances share the
 * work, and applies its facts in the same transaction that marks it processed:
 * a crash or an error in between leaves it unprocessed, never lost. A failure
 * rolls everything back, is noted on the row (result FAILED, the error, the
 * attempt count) and retried with backoff.
 */
import { createHash } from 'node:crypto';
import type Stripe from 'stripe';
import type { Clock } from '../common/clock';
import type { Log } from '../common/log';
import type { PrismaClient } from '../db';
import type { Database } from '../db/database';
import { type Sql, statement } from '../db/sql';
import type { ClaimedEvent } from '../db/store';
import type { UnitOfWork, Work } from '../lifecycle/work';
import type { Link, SettlementService } from '../settlement/settlement.service';
import type { Metrics } from '../metrics/metrics';
import { factsFromEvent } from '../stripe/stripe-facts';

export const EVENT_RETENTION_DAYS = 90;
/** Backoff of failed processing: 1 s, 2 s, 4 s … at most an hour apart, for as long as it takes. */
const MAX_BACKOFF_MS = 3_600_000;

const RECEIVE_EVENT = statement(
  'receive-event',
  `INSERT INTO webhook_events (id, type, payload, payload_sha256, stripe_created_at, received_at, next_attempt_at)
   VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (id) DO NOTHING`,
);
const MARK_EVENT_FAILED = statement(
  'mark-event-failed',
  `UPDATE webhook_events SET attempts = attempts + 1, result = 'FAILED', error = $2, next_attempt_at = $3 WHERE id = $1 AND processed_at IS NULL`,
);
const DUE_EVENTS = statement('due-events', 'SELECT count(*)::int AS n FROM webhook_events WHERE processed_at IS NULL AND next_attempt_at <= $1');
const DUE_EVENT_IDS = statement(
  'due-event-ids',
  'SELECT id FROM webhook_events WHERE processed_at IS NULL AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2',
);

export type Receipt = 'received' | 'duplicate';
export type ProcessOutcome = 'processed' | 'ignored' | 'duplicate';

export class WebhookService {
  private readonly sql: Sql;

  constructor(
    private readonly prisma: PrismaClient,
    db: Pick<Database, 'pool' | 'sqlOn'>,
    private readonly work: UnitOfWork,
    private readonly settlement: SettlementService,
    private readonly clock: Clock,
    private readonly metrics?: Metrics,
  ) {
    this.sql = db.sqlOn(db.pool);
  }

  /** Intake: the event row, committed (a 2xx may follow); `duplicate` when this id was received before. */
  async receive(event: Stripe.Event, rawBody: Buffer): Promise<Receipt> {
    const inserted = await this.sql.run(RECEIVE_EVENT, [
      event.id,
      event.type,
      rawBody.toString('utf8'),
      createHash('sha256').update(rawBody).digest('hex'),
      new Date(event.created * 1000),
      this.clock.now(),
    ]);
    if (inserted) this.metrics?.webhookEvent(event.type, 'received');
    return inserted ? 'received' : 'duplicate';
  }

  /**
   * The worker's step: one event, unless another worker holds it or it was
   * processed meanwhile. Its transaction commits without waiting for the WAL
   * flush: the receipt was durable, so a commit lost in a crash only means the
   * event is processed again, which changes nothing twice (the effects are
   * idempotent, and their Stripe calls carry deterministic idempotency keys).
   */
  async processById(id: string, log: Log): Promise<'processed' | 'ignored' | 'skipped'> {
    let claimed = null as ClaimedEvent | null;
    try {
      return await this.work.run(
        this.cause(id),
        log,
        async (work) => {
          claimed = await work.store.tryClaimEvent(id);
          if (!claimed || claimed.processedAt) return 'skipped';
          return (await this.apply(work, claimed, log)) === 'processed' ? 'processed' : 'ignored';
        },
        { durable: false },
      );
    } catch (err) {
      if (!claimed) throw err;
      await this.failed(claimed, err, log);
      return 'skipped';
    }
  }

  /** Events due for processing, oldest first: what the worker's sweep takes (those no receipt handed it, and retries). */
  async dueIds(limit: number): Promise<string[]> {
    return (await this.sql.rows<{ id: string }>(DUE_EVENT_IDS, [this.clock.now(), limit])).map((r) => r.id);
  }

  /** One event now, by id (replays, tests): waits for a worker already on it; `duplicate` when it was processed before. */
  async processEvent(id: string, log: Log): Promise<ProcessOutcome> {
    let claimed = null as ClaimedEvent | null;
    try {
      return await this.work.run(this.cause(id), log, async (work) => {
        claimed = await work.store.claimEvent(id);
        if (!claimed) throw new Error(`no webhook event ${id}`);
        if (claimed.processedAt) return 'duplicate';
        return this.apply(work, claimed, log);
      });
    } catch (err) {
      if (claimed) await this.failed(claimed, err, log);
      throw err;
    }
  }

  /** Events due for processing now (the worker's backlog). */
  async due(): Promise<number> {
    return (await this.sql.one<{ n: number }>(DUE_EVENTS, [this.clock.now()])).n;
  }

  private cause(stripeEventId?: string) {
    return { source: 'WEBHOOK' as const, actorId: 'stripe', actorRole: 'STRIPE', ...(stripeEventId ? { stripeEventId } : {}) };
  }

  /** The event's facts, applied in the claiming transaction, which also marks it processed. */
  private async apply(work: Work, claimed: ClaimedEvent, log: Log): Promise<ProcessOutcome> {
    work.cause = { ...work.cause, stripeEventId: claimed.id };
    // the payload was verified at intake; Stripe's reads the event alone cannot settle happen here
    const facts = await this.settlement.prepare(work.store, factsFromEvent(claimed.payload as Stripe.Event));
    let link: Link | null = null;
    for (const fact of facts) link = (await this.settlement.apply(work, fact)) ?? link;
    const result = link ? 'PROCESSED' : 'IGNORED';
    work.store.markEventProcessedAtCommit(work.atCommit, claimed.id, work.now, result, link);
    work.committed.push(() => this.metrics?.webhookEvent(claimed.type, result, (work.now.getTime() - claimed.receivedAt.getTime()) / 1000));
    log.info({ stripeEventId: claimed.id, stripeEventType: claimed.type, result: link ? 'PROCESSED' : 'IGNORED', attempts: claimed.attempts + 1 }, 'webhook event processed');
    return link ? 'processed' : 'ignored';
  }

  /** Everything rolled back; the row says so, and when the next try is due. */
  private async failed(claimed: ClaimedEvent, err: unknown, log: Log): Promise<void> {
    this.metrics?.webhookEvent(claimed.type, 'FAILED');
    const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(claimed.attempts, 22));
    const next = new Date(this.clock.now().getTime() + backoff);
    log.error({ err, stripeEventId: claimed.id, attempts: claimed.attempts + 1, retryAt: next }, 'webhook event processing failed; it is retried');
    await this.sql.run(MARK_EVENT_FAILED, [claimed.id, String((err as Error)?.message ?? err).slice(0, 1000), next]).catch((markErr: unknown) =>
      log.error({ err: markErr, stripeEventId: claimed.id }, 'could not note the failure on the event row; it is retried as it is'),
    );
  }

  async purgeOldEvents(): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - EVENT_RETENTION_DAYS * 86_400_000);
    const { count } = await this.prisma.webhookEvent.deleteMany({ where: { receivedAt: { lt: cutoff } } });
    return count;
  }
}
