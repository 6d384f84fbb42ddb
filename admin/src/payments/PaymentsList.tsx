/**
 * Payments list: attempts newest first (paymentsConnection), filtered by status,
 * reservation, guest and the days they started, a page at a time. Filters live
 * in the URL, so a filtered list can be shared and Back returns to it; the
 * cursors of the pages seen are kept here for "Previous page".
 */
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../api/errors';
import { useQuery } from '../api/use-query';
import { ErrorBox } from '../common/ErrorBox';
import { formatDateTime } from '../common/dates';
import { useFocusWhen } from '../common/focus';
import { formatMoney } from '../common/money';
import { hrefs, navigate } from '../common/router';
import { StatusBadge } from '../common/StatusBadge';
import { ConsolePaymentsDocument } from '../graphql/generated';
import { ATTEMPT_STATUSES, FORM_FIELD_OF, fieldsOf, queryOf, toPaymentFilter, type FilterFields } from './payment-filters';

const PAGE_SIZE = 25;

const LABELS: Record<keyof FilterFields, string> = {
  status: 'Status',
  reservation: 'Reservation id',
  guest: 'Guest id',
  from: 'Started on or after',
  to: 'Started on or before',
};

export function PaymentsList({ query }: { query: URLSearchParams }) {
  const applied = fieldsOf(query);
  const appliedKey = queryOf(applied).toString();
  const [fields, setFields] = useState<FilterFields>(applied);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const headingRef = useFocusWhen<HTMLHeadingElement>(true);

  // a new filter (typed, or from the URL: Back) starts at the first page
  useEffect(() => {
    setFields(fieldsOf(new URLSearchParams(appliedKey)));
    setCursors([null]);
  }, [appliedKey]);

  const { filter, problems: appliedProblems } = toPaymentFilter(applied);
  const after = cursors[cursors.length - 1];
  const valid = Object.keys(appliedProblems).length === 0;
  const list = useQuery(ConsolePaymentsDocument, { filter, first: PAGE_SIZE, after }, `${appliedKey}|${after ?? ''}`, valid);
  const [problems, setProblems] = useState<Partial<Record<keyof FilterFields, string>>>({});

  // the service's word on a field (e.g. a malformed reservation id) goes next to that field
  const serverProblems: Partial<Record<keyof FilterFields, string>> = {};
  if (list.error instanceof ApiError) for (const p of list.error.fields) if (FORM_FIELD_OF[p.field]) serverProblems[FORM_FIELD_OF[p.field]] = p.message;
  const shown = { ...appliedProblems, ...serverProblems, ...problems };
  const firstProblem = (Object.keys(LABELS) as (keyof FilterFields)[]).find((name) => shown[name]);
  const summaryRef = useFocusWhen<HTMLDivElement>(firstProblem, JSON.stringify(shown));

  function submit(event: FormEvent) {
    event.preventDefault();
    const checked = toPaymentFilter(fields).problems;
    setProblems(checked);
    if (Object.keys(checked).length === 0) navigate(hrefs.payments(queryOf(fields)));
  }

  function clear() {
    setProblems({});
    navigate(hrefs.payments());
  }

  const connection = list.data?.paymentsConnection;
  const field = (name: keyof FilterFields, input: JSX.Element) => (
    <div className="field">
      <label htmlFor={`filter-${name}`}>{LABELS[name]}</label>
      {input}
      {shown[name] && (
        <p className="field-error" id={`filter-${name}-error`}>
          {shown[name]}
        </p>
      )}
    </div>
  );
  const inputProps = (name: keyof FilterFields) => ({
    id: `filter-${name}`,
    name,
    value: fields[name],
    'aria-invalid': shown[name] ? true : undefined,
    'aria-describedby': shown[name] ? `filter-${name}-error` : undefined,
    onChange: (event: { target: { value: string } }) => setFields({ ...fields, [name]: event.target.value }),
  });

  return (
    <main id="main">
      <h1 tabIndex={-1} ref={headingRef}>
        Payments
      </h1>
      <form className="filters" onSubmit={submit} noValidate aria-label="Filter payments">
        {firstProblem && (
          <div className="error" role="alert" tabIndex={-1} ref={summaryRef}>
            Please correct: {(Object.keys(LABELS) as (keyof FilterFields)[]).filter((n) => shown[n]).map((n) => LABELS[n]).join(', ')}.
          </div>
        )}
        <div className="filter-fields">
          {field(
            'status',
            <select {...inputProps('status')}>
              <option value="">Any status</option>
              {ATTEMPT_STATUSES.map((status) => (
                <option key={status} value={status}>
                  {status.replace(/_/g, ' ').toLowerCase()}
                </option>
              ))}
            </select>,
          )}
          {field('reservation', <input {...inputProps('reservation')} placeholder="RES-2026-7F3K9Q" autoComplete="off" spellCheck={false} />)}
          {field('guest', <input {...inputProps('guest')} autoComplete="off" spellCheck={false} />)}
          {field('from', <input {...inputProps('from')} type="date" />)}
          {field('to', <input {...inputProps('to')} type="date" />)}
        </div>
        <div className="actions">
          <button type="submit">Apply filters</button>
          <button type="button" className="secondary" onClick={clear}>
            Clear
          </button>
        </div>
      </form>

      {list.error && !Object.keys(serverProblems).length && <ErrorBox error={list.error} />}
      <div className="table-wrap" aria-busy={list.loading}>
        <table className="responsive">
          <caption>
            Payment attempts, newest first{cursors.length > 1 ? ` (page ${cursors.length})` : ''}
            {list.loading ? ' — loading…' : ''}
          </caption>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Reservation</th>
              <th scope="col">Guest</th>
              <th scope="col">Attempt</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Amount
              </th>
              <th scope="col" className="num">
                Refunded
              </th>
            </tr>
          </thead>
          <tbody>
            {connection?.edges.map(({ node }) => (
              <tr key={node.id}>
                <td data-label="Started">{formatDateTime(node.createdAt)}</td>
                <td data-label="Reservation">
                  <a href={hrefs.reservation(node.reservationId)}>{node.reservationId}</a>
                </td>
                <td data-label="Guest">{node.reservation.guestId}</td>
                <td data-label="Attempt">{node.attempt}</td>
                <td data-label="Status">
                  <StatusBadge status={node.status} />
                  {node.failureCode && <span className="muted"> {node.failureCode}</span>}
                  {node.disputed && <span className="badge badge-bad">disputed</span>}
                </td>
                <td data-label="Amount" className="num">
                  {formatMoney(node.amount, node.currency)}
                </td>
                <td data-label="Refunded" className="num">
                  {node.refundedAmount ? formatMoney(node.refundedAmount, node.currency) : '—'}
                </td>
              </tr>
            ))}
            {connection && connection.edges.length === 0 && (
              <tr>
                <td colSpan={7} className="empty">
                  No payment attempts match these filters.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label="Pages">
        <button type="button" className="secondary" disabled={cursors.length <= 1 || list.loading} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous page
        </button>
        <button
          type="button"
          className="secondary"
          disabled={!connection?.pageInfo.hasNextPage || list.loading}
          onClick={() => connection?.pageInfo.endCursor && setCursors([...cursors, connection.pageInfo.endCursor])}
        >
          Next page
        </button>
      </nav>
    </main>
  );
}
