/**
 * The panels of the reservation detail screen, in order. A panel is a component
 * given the reservation's live payment status and a revision that grows at every
 * pushed change; a panel that needs more than the status reads it itself with
 * its own typed document (useQuery keyed on the revision), so it stays as
 * current as the rest. Adding a panel is one file and one line here.
 *
 * Planned, when the schema has them (SPEC; codegen fails on a field the schema
 * lacks, so a panel cannot be added before its API):
 *  - payment link: Reservation.paymentLink (url, expiresAt, revokedAt)
 *  - notifications: notifications(reservationId)
 */
import type { ComponentType } from 'react';
import type { ConsolePaymentStatusFragment } from '../graphql/generated';
import { AttemptsPanel } from './AttemptsPanel';
import { AuditPanel } from './AuditPanel';
import { RefundsPanel } from './RefundsPanel';
import { SummaryPanel } from './SummaryPanel';

export interface PanelProps {
  reservationId: string;
  status: ConsolePaymentStatusFragment;
  /** counts the live updates received: a panel with its own reads refetches when it changes */
  revision: number;
}

export interface ReservationPanel {
  /** the section's id and heading id */
  key: string;
  title: string;
  Component: ComponentType<PanelProps>;
}

export const RESERVATION_PANELS: ReservationPanel[] = [
  { key: 'summary', title: 'Summary', Component: SummaryPanel },
  { key: 'attempts', title: 'Payment attempts', Component: AttemptsPanel },
  { key: 'refunds', title: 'Refunds', Component: RefundsPanel },
  { key: 'audit', title: 'Audit trail', Component: AuditPanel },
];
