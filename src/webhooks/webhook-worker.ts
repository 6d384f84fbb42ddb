/**
 * Processes received Stripe events from the database (webhook.service.ts). The
 * route hands each event it committed to this instance's queue, and a few loops
 * take events from it one at a time, by id (a primary-key lock, SKIP LOCKED:
 * another worker on it means it is being done). A sweep every `pollMs` adds what
 * no receipt handed this instance: events received by an instance that stopped,
 * and failed events whose retry came due; instances share those without
 * stepping on each other. The queue never scans the events table per event
 * (a queue table scanned per claim slows down with every processed row).
 */
import type { Log } from '../common/log';
import type { WebhookService } from './webhook.service';

export interface WebhookWorkerOptions {
  /** loops per instance: events processed at once */
  concurrency: number;
  /** how often the sweep looks for due events no receipt handed this instance */
  pollMs: number;
}

/** Ids held in memory at most; past it the sweep finds the rest in the database. */
const MAX_QUEUED = 20_000;
const SWEEP_BATCH = 500;

export class WebhookWorker {
  private running = false;
  private loops: Promise<void>[] = [];
  private sweeper: NodeJS.Timeout | undefined;
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private busy = 0;
  private sleepers: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly service: WebhookService,
    private readonly options: WebhookWorkerOptions,
    private readonly log: Log,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = Array.from({ length: this.options.concurrency }, () => this.loop());
    this.sweeper = setInterval(() => void this.sweep(), this.options.pollMs);
    this.sweeper.unref();
    void this.sweep();
  }

  /** An event was just committed here: a loop takes it now. */
  enqueue(id: string): void {
    if (this.queued.has(id) || this.queued.size >= MAX_QUEUED) return;
    this.queued.add(id);
    this.queue.push(id);
    this.wakeOne();
  }

  /**
   * Resolves once nothing is queued, nothing is due and no loop is processing
   * (tests, the benchmark): every event received so far has been processed or
   * waits for its retry time.
   */
  async drain(): Promise<void> {
    for (;;) {
      if (this.queue.length === 0 && this.busy === 0) {
        await this.sweep();
        if (this.queue.length === 0 && this.busy === 0) return;
      }
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.sweeper);
    for (const wake of this.sleepers.splice(0)) wake();
    await Promise.all(this.loops);
    this.loops = [];
  }

  private async sweep(): Promise<void> {
    if (!this.running || this.queue.length > SWEEP_BATCH) return;
    try {
      for (const id of await this.service.dueIds(SWEEP_BATCH)) this.enqueue(id);
    } catch (err) {
      this.log.error({ err }, 'the webhook worker could not look for due events; it tries again');
    }
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const id = this.queue.shift();
      if (id === undefined) {
        this.idle();
        await this.sleep();
        continue;
      }
      this.busy += 1;
      try {
        await this.service.processById(id, this.log);
      } catch (err) {
        this.log.error({ err, stripeEventId: id }, 'the webhook worker could not reach the database; the sweep finds the event again');
      } finally {
        this.busy -= 1;
        this.queued.delete(id);
      }
    }
  }

  private idle(): void {
    if (this.busy !== 0 || this.queue.length !== 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private wakeOne(): void {
    this.sleepers.shift()?.();
  }

  private sleep(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.options.pollMs);
      timer.unref();
      const sleepers = this.sleepers;
      function done() {
        clearTimeout(timer);
        const at = sleepers.indexOf(done);
        if (at >= 0) sleepers.splice(at, 1);
        resolve();
      }
      this.sleepers.push(done);
    });
  }
}
