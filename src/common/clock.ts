/**
 * The one source of "now". Services, jobs and the Stripe emulator take a Clock
 * instead of calling `new Date()` or `Date.now()`, so that tests move time (a hold
 * lapsing, a session expiring, a job's age threshold) instead of editing rows or
 * sleeping.
 */
export interface Clock {
  now(): Date;
}

/** A clock that tests (and the emulator's test helpers) can move forward. */
export interface ControllableClock extends Clock {
  /** Moves time forward by `ms` and tells every listener (timers that became due fire). */
  advance(ms: number): Promise<void>;
  /** Called after every advance; returns an unsubscribe function. */
  onAdvance(listener: () => void | Promise<void>): () => void;
}

export const systemClock: Clock = { now: () => new Date() };

/** Real time plus an offset that only grows: what tests and the emulator's clock use. */
export class OffsetClock implements ControllableClock {
  private offsetMs = 0;
  private readonly listeners = new Set<() => void | Promise<void>>();

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  async advance(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) throw new Error('a clock only moves forward');
    this.offsetMs += ms;
    for (const listener of [...this.listeners]) await listener();
  }

  onAdvance(listener: () => void | Promise<void>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export const isControllable = (clock: Clock): clock is ControllableClock =>
  typeof (clock as Partial<ControllableClock>).advance === 'function' &&
  typeof (clock as Partial<ControllableClock>).onAdvance === 'function';
