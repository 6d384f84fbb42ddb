/**
 * Per-subject caps on what one caller may hold open on this instance: sockets,
 * and subscriptions across them. The subject is the token's `sub`, else the
 * client's IP (as the rate limits count callers). Counted in memory, per instance.
 */
export class SubjectCounter {
  private readonly counts = new Map<string, number>();

  constructor(readonly max: number) {}

  /** Takes one unit for `subject`; false (nothing taken) when it already holds `max`. */
  acquire(subject: string): boolean {
    const held = this.counts.get(subject) ?? 0;
    if (held >= this.max) return false;
    this.counts.set(subject, held + 1);
    return true;
  }

  release(subject: string): void {
    const held = this.counts.get(subject) ?? 0;
    if (held <= 1) this.counts.delete(subject);
    else this.counts.set(subject, held - 1);
  }

  held(subject: string): number {
    return this.counts.get(subject) ?? 0;
  }
}
