/**
 * Test clocks, and the two timelines billing work runs on.
 *
 * Objects of a customer created with `test_clock` live at the clock's
 * `frozen_time`: their billing work (period ends, invoice finalization, Smart
 * Retries) waits in the state's `clockTasks` until `POST …/advance` moves the
 * clock past it. An advance answers at once with `status: advancing`
 * (`test_helpers.test_clock.advancing`); the work due up to the new frozen time
 * then runs in order of due time, each piece stamped with its own time, and the
 * clock becomes `ready` (`test_helpers.test_clock.ready`). As at Stripe, a clock
 * cannot be advanced more than two intervals of its shortest subscription at once.
 *
 * Everything else runs on the emulator's injected clock: its billing work is a
 * job of the clock scheduler at the same due time (so advancing a
 * ControllableClock by months runs the renewals in between, in order).
 */
import type Stripe from 'stripe';
import * as billingBuild from './billing-objects';
import type { BillingTask, ClockScheduler, Job } from './clock-scheduler';
import { invalidParams, invalidRequest, resourceMissing } from './emulator-errors';
import { snapshot, type EmulatorStore, type RequestInfo } from './emulator-store';

/** What a test clock needs from Billing. */
export interface ClockWork {
  /** runs one piece of billing work (at the time the store is set to) */
  runTask(task: BillingTask): void;
  /** the furthest frozen time the clock may be advanced to now (two intervals of its shortest subscription), or null */
  advanceLimit(clockId: string, frozenTime: number): { limit: number; interval: string } | null;
  /** the clock is deleted: its customers and their objects go with it */
  clockDeleted(clockId: string): void;
}

export class TestClocks {
  work: ClockWork | undefined;

  constructor(
    private readonly store: EmulatorStore,
    private readonly scheduler: ClockScheduler,
  ) {}

  private get state() {
    return this.store.state;
  }

  // ---------------------------------------------------------------- timelines

  /** Runs `work` at the time of the clock's objects: its frozen time, or (no clock) the current object time. */
  within<T>(clockId: string | null, work: () => T): T {
    if (!clockId) return work();
    return this.store.at(this.clock(clockId, 'test_clock').frozen_time, work);
  }

  /** Schedules billing work at `dueAt` (seconds) of a timeline: a test clock, or (null) the emulator's clock. */
  schedule(clockId: string | null, dueAt: number, task: BillingTask): void {
    if (clockId) {
      this.state.clockTasks.push({ clockId, dueAt, task });
      this.store.changed();
      return;
    }
    this.scheduler.at(dueAt * 1000, { kind: 'billing', task });
  }

  /** Drops scheduled billing work that `match` selects, on every timeline. */
  cancel(match: (task: BillingTask) => boolean): void {
    this.state.clockTasks = this.state.clockTasks.filter((t) => !match(t.task));
    this.store.changed();
    this.scheduler.cancel((job) => job.kind === 'billing' && match(job.task));
  }

  /** The scheduler's handler for billing work on the emulator's clock: run at its due time. */
  runScheduled = (job: Extract<Job, { kind: 'billing' }>): void => {
    this.store.at(Math.floor(job.dueAtMs / 1000), () => this.work?.runTask(job.task));
  };

  // ---------------------------------------------------------------- the API

  private event(type: 'test_helpers.test_clock.created' | 'test_helpers.test_clock.advancing' | 'test_helpers.test_clock.ready', clock: Stripe.TestHelpers.TestClock, request: RequestInfo | null) {
    this.store.publish({ ...this.store.eventBase(request), type, data: { object: snapshot(clock) } });
  }

  clock(id: string, param = 'test_clock'): Stripe.TestHelpers.TestClock {
    const clock = this.state.testClocks[id];
    if (!clock) throw resourceMissing('test_helpers.test_clock', id, param);
    return clock;
  }

  /** POST /v1/test_helpers/test_clocks */
  create(params: Stripe.TestHelpers.TestClockCreateParams, request: RequestInfo): Stripe.TestHelpers.TestClock {
    if (params.customer !== undefined) throw invalidParams('The Stripe emulator does not support customer on test clocks.', { param: 'customer' });
    const clock = billingBuild.testClock({ created: this.store.now(), frozenTime: params.frozen_time, name: params.name ?? null });
    this.state.testClocks[clock.id] = clock;
    this.event('test_helpers.test_clock.created', clock, request);
    return clock;
  }

  list(): Stripe.TestHelpers.TestClock[] {
    return Object.values(this.state.testClocks);
  }

  /** DELETE /v1/test_helpers/test_clocks/:id: the clock's customers, subscriptions and invoices go with it. */
  delete(id: string, request: RequestInfo): Stripe.TestHelpers.DeletedTestClock {
    const clock = this.clock(id);
    this.work?.clockDeleted(id);
    this.state.clockTasks = this.state.clockTasks.filter((t) => t.clockId !== id);
    this.scheduler.cancel((job) => job.kind === 'advance_test_clock' && job.clockId === id);
    delete this.state.testClocks[id];
    this.store.publish({ ...this.store.eventBase(request), type: 'test_helpers.test_clock.deleted', data: { object: snapshot(clock) } });
    return billingBuild.deletedTestClock(id);
  }

  /** POST /v1/test_helpers/test_clocks/:id/advance: answers `advancing`; the work in between runs right after. */
  advance(id: string, params: Stripe.TestHelpers.TestClockAdvanceParams, request: RequestInfo): Stripe.TestHelpers.TestClock {
    const clock = this.clock(id);
    if (clock.status !== 'ready') {
      throw invalidRequest(`The test clock ${id} is ${clock.status}: wait until its status is ready before advancing it again.`, { param: 'test_clock' });
    }
    if (params.frozen_time <= clock.frozen_time) {
      throw invalidParams(`The frozen_time must be after the test clock's current frozen_time (${clock.frozen_time}).`, { param: 'frozen_time' });
    }
    const limit = this.work?.advanceLimit(id, clock.frozen_time);
    if (limit && params.frozen_time > limit.limit) {
      throw invalidParams(
        `A test clock cannot be advanced more than two intervals of its shortest subscription (${limit.interval}) at a time: the furthest frozen_time allowed now is ${limit.limit}.`,
        { param: 'frozen_time' },
      );
    }
    clock.status = 'advancing';
    clock.status_details = { advancing: { target_frozen_time: params.frozen_time } };
    this.event('test_helpers.test_clock.advancing', clock, request);
    this.scheduler.after(0, { kind: 'advance_test_clock', clockId: id });
    return clock;
  }

  /** The scheduler's handler: runs the clock's work due up to its target, in order, then the clock is ready. */
  runAdvance = (job: Extract<Job, { kind: 'advance_test_clock' }>): void => {
    const clock = this.state.testClocks[job.clockId];
    const target = clock?.status_details.advancing?.target_frozen_time;
    if (!clock || clock.status !== 'advancing' || target === undefined) return;
    for (;;) {
      let next = -1;
      this.state.clockTasks.forEach((t, i) => {
        if (t.clockId === clock.id && t.dueAt <= target && (next < 0 || t.dueAt < this.state.clockTasks[next].dueAt)) next = i;
      });
      if (next < 0) break;
      const [due] = this.state.clockTasks.splice(next, 1);
      this.store.at(due.dueAt, () => this.work?.runTask(due.task));
    }
    clock.frozen_time = target;
    clock.status = 'ready';
    clock.status_details = {};
    this.event('test_helpers.test_clock.ready', clock, null);
  };
}
