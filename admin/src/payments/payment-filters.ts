/**
 * The payments list's filters, as the URL fragment's query (#/payments?status=…)
 * and as the API's PaymentFilter. Dates are the browser's local days; "to" is
 * inclusive (up to the end of that day).
 */
import { startOfLocalDay } from '../common/dates';
import type { PaymentAttemptStatus, PaymentFilter } from '../graphql/generated';

export const ATTEMPT_STATUSES: PaymentAttemptStatus[] = ['PENDING', 'SUCCEEDED', 'PARTIALLY_REFUNDED', 'REFUNDED', 'FAILED', 'EXPIRED', 'CANCELED'];

export interface FilterFields {
  status: string;
  reservation: string;
  guest: string;
  from: string;
  to: string;
}

export const FIELD_NAMES: (keyof FilterFields)[] = ['status', 'reservation', 'guest', 'from', 'to'];

export function fieldsOf(query: URLSearchParams): FilterFields {
  return { status: query.get('status') ?? '', reservation: query.get('reservation') ?? '', guest: query.get('guest') ?? '', from: query.get('from') ?? '', to: query.get('to') ?? '' };
}

export function queryOf(fields: FilterFields): URLSearchParams {
  const query = new URLSearchParams();
  for (const name of FIELD_NAMES) {
    const value = fields[name].trim();
    if (value) query.set(name, name === 'reservation' ? value.toUpperCase() : value);
  }
  return query;
}

/** The API's filter; problems the browser can see are named by field before anything is sent. */
export function toPaymentFilter(fields: FilterFields): { filter: PaymentFilter; problems: Partial<Record<keyof FilterFields, string>> } {
  const problems: Partial<Record<keyof FilterFields, string>> = {};
  const filter: PaymentFilter = {};
  if (fields.status) {
    if (ATTEMPT_STATUSES.includes(fields.status as PaymentAttemptStatus)) filter.status = fields.status as PaymentAttemptStatus;
    else problems.status = 'Choose a status from the list.';
  }
  if (fields.reservation) filter.reservationId = fields.reservation.trim().toUpperCase();
  if (fields.guest) filter.guestId = fields.guest.trim();
  if (fields.from) {
    const from = startOfLocalDay(fields.from);
    if (from) filter.from = from;
    else problems.from = 'Enter a date.';
  }
  if (fields.to) {
    const to = startOfLocalDay(fields.to, true);
    if (to) filter.to = to;
    else problems.to = 'Enter a date.';
  }
  if (filter.from && filter.to && filter.from >= filter.to) problems.to = 'The last day must not be before the first.';
  return { filter, problems };
}

/** The API names fields as paths (filter.reservationId); the form names its inputs. */
export const FORM_FIELD_OF: Record<string, keyof FilterFields> = {
  'filter.status': 'status',
  'filter.reservationId': 'reservation',
  'filter.guestId': 'guest',
  'filter.from': 'from',
  'filter.to': 'to',
};
