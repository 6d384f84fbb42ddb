/**
 * Processes received Stripe events from the database (webhook.service.ts):
 * a few loops per instance, each taking the oldest due event with SKIP LOCKED,
 * so instances share the queue without stepping on each other. The route wakes
 * the loops as soon as an event is committed; otherwise they look again every
 * `pollMs` (events received by an instance that stopped, retries coming due).
 */
import type { Log } from '../common/log';
import type { WebhookService } from './webhook.service';

export interface WebhookWorkerOptions {
  /** loops per instance: events processed at once */
  concurrency: number;
  /** how often an idle loop looks for due events without being woken */
  pollMs: number;
}

export class WebhookWorker {
  private running = false;
  private loops: Promise<void>[] = [];
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
  }

  /** An event was just committed: an idle loop takes it now. */
  wake(): void {
    const sleepers = this.sleepers;
    this.sleepers = [];
    for (const wake of sleepers) wake();
  }

  /**
   * Resolves once nothing is due and no loop is processing (tests, and the
   * benchmark): every event received so far has been processed or is waiting for
   * its retry time.
   */
  async drain(): Promise<void> {
    for (;;) {
      if (this.busy === 0 && (await this.service.due()) === 0 && this.busy === 0) return;
      this.wake();
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await Promise.all(this.loops);
    this.loops = [];
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.busy += 1;
      let worked = false;
      try {
        worked = await this.service.processNext(this.log);
      } catch (err) {
        this.log.error({ err }, 'the webhook worker could not reach the database; it tries again');
      } finally {
        this.busy -= 1;
      }
      if (!worked) {
        this.idle();
        await this.sleep();
      }
    }
  }

  private idle(): void {
    if (this.busy !== 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private sleep(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.options.pollMs);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.sleepers.push(done);
    });
  }
}
