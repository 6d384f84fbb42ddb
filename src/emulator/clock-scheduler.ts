/**
 * The emulator's timers, driven by its clock (src/common/clock.ts): a job is due
 * at a time of that clock. A due job runs when real time reaches it (one real
 * timer is armed for the earliest job) or at once when a ControllableClock is
 * advanced past it. Jobs are plain data kept in the emulator's state, so they
 * survive a restart with a data directory and run when due afterwards.
 */
import { isControllable, type Clock } from '../common/clock';

/**
 * Billing work due at a time of a subscription's timeline: the emulator's clock,
 * or a test clock's frozen time (then it waits in the state's `clockTasks` until
 * the test clock is advanced past it; see test-clocks.ts).
 */
export type BillingTask =
  | { type: 'period_end'; subscriptionId: string }
  | { type: 'finalize_invoice'; invoiceId: string }
  | { type: 'retry_invoice'; invoiceId: string };

export type Job =
  | { id: string; dueAtMs: number; kind: 'expire_session'; sessionId: string }
  | { id: string; dueAtMs: number; kind: 'billing'; task: BillingTask }
  | { id: string; dueAtMs: number; kind: 'advance_test_clock'; clockId: string }
  | { id: string; dueAtMs: number; kind: 'settle_delayed'; intentId: string; succeed: boolean }
  | { id: string; dueAtMs: number; kind: 'refund_reference'; refundId: string }
  | { id: string; dueAtMs: number; kind: 'fail_refund'; refundId: string }
  | { id: string; dueAtMs: number; kind: 'open_dispute'; chargeId: string }
  | { id: string; dueAtMs: number; kind: 'deliver'; eventId: string; endpointId: string; attempt: number; duplicate?: boolean };

export type JobKind = Job['kind'];
/** A job as it is scheduled: the scheduler gives it an id and a due time. */
export type NewJob = Job extends infer J ? (J extends Job ? Omit<J, 'id' | 'dueAtMs'> : never) : never;
type Handler<K extends JobKind> = (job: Extract<Job, { kind: K }>) => void;
export type JobHandlers = { [K in JobKind]: Handler<K> };

/** Longest real wait armed at once (a timer further out is re-armed when this one fires). */
const MAX_TIMER_MS = 60_000;

export class ClockScheduler {
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private handlers: JobHandlers | undefined;
  private closed = false;
  private running = false;
  private sequence = 0;

  constructor(
    private readonly clock: Clock,
    /** the state's job list: the scheduler adds to and removes from it */
    private readonly jobs: Job[],
    private readonly changed: () => void,
  ) {}

  nowMs(): number {
    return this.clock.now().getTime();
  }

  /** Starts running jobs (those restored from a data directory included). */
  start(handlers: JobHandlers): void {
    this.handlers = handlers;
    if (isControllable(this.clock)) this.unsubscribe = this.clock.onAdvance(() => this.runDue());
    this.runDue();
  }

  /** Schedules a job `delayMs` of clock time from now. */
  after(delayMs: number, job: NewJob): void {
    this.at(this.nowMs() + Math.max(0, delayMs), job);
  }

  /** Schedules a job at a time of the clock (a time already past runs at the next `runDue`, in order of due time). */
  at(dueAtMs: number, job: NewJob): void {
    this.sequence += 1;
    const scheduled: Job = { ...job, id: `job_${this.nowMs()}_${this.sequence}`, dueAtMs };
    this.jobs.push(scheduled);
    this.changed();
    this.arm();
  }

  /** Removes the jobs `match` selects (e.g. a session's expiry once it is complete). */
  cancel(match: (job: Job) => boolean): void {
    const before = this.jobs.length;
    for (let i = this.jobs.length - 1; i >= 0; i -= 1) if (match(this.jobs[i])) this.jobs.splice(i, 1);
    if (this.jobs.length !== before) {
      this.changed();
      this.arm();
    }
  }

  pending(match: (job: Job) => boolean = () => true): number {
    return this.jobs.filter(match).length;
  }

  /** Runs every job that is due, earliest first (jobs added while running that are due run too). */
  runDue(): void {
    if (this.closed || !this.handlers || this.running) return;
    this.running = true;
    try {
      for (;;) {
        const now = this.nowMs();
        let next = -1;
        for (let i = 0; i < this.jobs.length; i += 1) {
          if (this.jobs[i].dueAtMs <= now && (next < 0 || this.jobs[i].dueAtMs < this.jobs[next].dueAtMs)) next = i;
        }
        if (next < 0) break;
        const [job] = this.jobs.splice(next, 1);
        this.changed();
        this.dispatch(job);
      }
    } finally {
      this.running = false;
    }
    this.arm();
  }

  private dispatch(job: Job): void {
    const handlers = this.handlers!;
    switch (job.kind) {
      case 'expire_session':
        return handlers.expire_session(job);
      case 'settle_delayed':
        return handlers.settle_delayed(job);
      case 'refund_reference':
        return handlers.refund_reference(job);
      case 'fail_refund':
        return handlers.fail_refund(job);
      case 'open_dispute':
        return handlers.open_dispute(job);
      case 'deliver':
        return handlers.deliver(job);
      case 'billing':
        return handlers.billing(job);
      case 'advance_test_clock':
        return handlers.advance_test_clock(job);
    }
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed || !this.handlers || !this.jobs.length) return;
    const earliest = Math.min(...this.jobs.map((j) => j.dueAtMs));
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, earliest - this.nowMs()));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.runDue();
    }, wait);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.unsubscribe?.();
  }
}
