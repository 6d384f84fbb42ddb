/**
 * What may be subscribed to, and on whose rights. Each subscription is admitted
 * by the very rule of its one-off read, run once at subscribe time (a refusal
 * ends the subscription before any event) and again at every event:
 *  - paymentStatusChanged: PaymentService.status, the paymentStatus query's own
 *    read and access check (owner or admin; src/auth/access.ts);
 *  - paymentResultChanged: the result pages' capability (page-access.ts), for
 *    the built-in pages that have no token; it opens only the page's own view.
 * The subscriber is registered with the fan-out before that first read, so a
 * change committed while it runs is not missed.
 */
import type { Caller } from '../auth/caller';
import { notFound } from '../errors';
import type { PageAccess } from '../payment-pages/page-access';
import type { PaymentResultService, ResultPage } from '../payment-pages/payment-result.service';
import type { PaymentService } from '../payments/payment.service';
import type { PaymentStatus } from '../payments/payment.type';
import { RESERVATION_ID_PATTERN } from '../reservations/reservation-id';
import type { ChangeEvent, StatusFanOut } from './status-fan-out';

export interface LiveSubscriptions {
  /** the stream behind paymentStatusChanged; refuses as paymentStatus does */
  paymentStatus(reservationId: string, caller: Caller): Promise<AsyncIterable<ChangeEvent>>;
  /** the stream behind paymentResultChanged; NOT_FOUND without the page's capability */
  paymentResult(reservationId: string, page: ResultPage, access: unknown): Promise<AsyncIterable<ChangeEvent>>;
}

/** The built-in result pages, when this service serves them (PUBLIC_URL unset). */
export interface ResultPages {
  access: PageAccess;
  results: PaymentResultService;
}

export class LiveStatus implements LiveSubscriptions {
  constructor(
    private readonly fanOut: StatusFanOut,
    private readonly payments: PaymentService,
    private readonly resultPages: ResultPages | null,
  ) {}

  /** One subscriber's read of an event: exactly the paymentStatus query's. */
  status(event: ChangeEvent, caller: Caller): Promise<PaymentStatus> {
    return this.payments.status(event.reservationId, caller, event.loaders);
  }

  /** One page subscriber's read of an event: exactly the page's state endpoint's. */
  async resultView(event: ChangeEvent, page: ResultPage) {
    const view = await this.resultPages?.results.view(event.reservationId, page);
    if (!view) throw notFound('Reservation', event.reservationId);
    return view;
  }

  paymentStatus(reservationId: string, caller: Caller): Promise<AsyncIterable<ChangeEvent>> {
    return this.open(reservationId, (first) => this.status(first, caller));
  }

  paymentResult(reservationId: string, page: ResultPage, access: unknown): Promise<AsyncIterable<ChangeEvent>> {
    return this.open(reservationId, async (first) => {
      // the same answer for a wrong capability as for an unknown reservation, as the pages give
      const allowed = this.resultPages && RESERVATION_ID_PATTERN.test(reservationId) && this.resultPages.access.allows(reservationId, access);
      if (!allowed) throw notFound('Reservation', reservationId);
      await this.resultView(first, page);
    });
  }

  private async open(reservationId: string, admit: (first: ChangeEvent) => Promise<unknown>): Promise<AsyncIterable<ChangeEvent>> {
    const stream = this.fanOut.subscribe(reservationId);
    try {
      const first = this.fanOut.eventFor(reservationId);
      await admit(first);
      // the first read's loaders are primed: delivering it costs no second read (unless a newer change is waiting)
      stream.offer(first);
      return stream;
    } catch (err) {
      stream.end();
      throw err;
    }
  }
}
