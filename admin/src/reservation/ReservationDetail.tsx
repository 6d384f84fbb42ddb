/**
 * Reservation detail: where its payment stands (paymentStatus), then every change
 * as it happens (the paymentStatusChanged subscription: its first message is the
 * current state, then one per change, from any instance). The panels come from
 * RESERVATION_PANELS; the refund form opens above them for one attempt.
 */
import { useEffect } from 'react';
import { useSubscription } from '../api/live';
import { useQuery } from '../api/use-query';
import { ErrorBox } from '../common/ErrorBox';
import { useFocusWhen } from '../common/focus';
import { hrefs } from '../common/router';
import { ConsoleReservationDocument, ConsoleReservationLiveDocument } from '../graphql/generated';
import { RefundForm } from '../refund/RefundForm';
import { RESERVATION_PANELS } from './panels';

const LIVE_WORDS = { connecting: 'Connecting for live updates…', live: 'Live: changes appear as they happen', reconnecting: 'Reconnecting for live updates…' };

export function ReservationDetail({ reservationId, refundPaymentId }: { reservationId: string; refundPaymentId: string | null }) {
  const first = useQuery(ConsoleReservationDocument, { reservationId }, reservationId);
  const live = useSubscription(ConsoleReservationLiveDocument, { reservationId }, reservationId);
  const status = live.data?.paymentStatusChanged ?? first.data?.paymentStatus ?? null;
  const headingRef = useFocusWhen<HTMLHeadingElement>(!refundPaymentId, reservationId);

  useEffect(() => {
    document.title = `${reservationId} · Payments console`;
  }, [reservationId]);

  const attempt = refundPaymentId ? status?.attempts.find((a) => a.id === refundPaymentId) : undefined;
  return (
    <main id="main">
      <p className="breadcrumb">
        <a href={hrefs.payments()}>Payments</a> / {reservationId}
      </p>
      <h1 tabIndex={-1} ref={headingRef}>
        Reservation {reservationId}
      </h1>
      <p className="live" role="status" data-state={live.state}>
        {status ? LIVE_WORDS[live.state] : ''}
      </p>
      <ErrorBox error={first.error ?? (status ? null : live.error)} />
      {!status && !first.error && <p aria-busy="true">Loading…</p>}
      {status && refundPaymentId && !attempt && <ErrorBox error={new Error(`Reservation ${reservationId} has no payment attempt ${refundPaymentId}.`)} />}
      {status && attempt && <RefundForm key={attempt.id} status={status} attempt={attempt} />}
      {status &&
        RESERVATION_PANELS.map(({ key, title, Component }) => (
          <section key={key} id={key} className="panel" aria-labelledby={`${key}-heading`}>
            <h2 id={`${key}-heading`}>{title}</h2>
            <Component reservationId={reservationId} status={status} revision={live.revision} />
          </section>
        ))}
    </main>
  );
}
