import { useState } from 'react';
import { ErrorBox } from '../common/ErrorBox';
import { formatDateTime } from '../common/dates';
import { formatMoney } from '../common/money';
import { useQuery } from '../api/use-query';
import { ConsoleAuditTrailDocument } from '../graphql/generated';
import type { PanelProps } from './panels';

const PAGE = 20;

/** The reservation's audit trail, newest first: who did what, from where, with which money. */
export function AuditPanel({ reservationId, revision }: PanelProps) {
  const [pages, setPages] = useState(1);
  const { data, error, loading } = useQuery(ConsoleAuditTrailDocument, { reservationId, first: PAGE * pages }, `${reservationId}:${revision}:${pages}`);
  if (error) return <ErrorBox error={error} />;
  if (!data) return <p className="empty">{loading ? 'Loading…' : 'No entries.'}</p>;
  const entries = data.auditLog.edges.map((e) => e.node);
  if (entries.length === 0) return <p className="empty">No entries.</p>;
  return (
    <>
      <div className="table-wrap">
        <table className="responsive" data-testid="audit">
          <caption className="visually-hidden">Audit trail, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Action</th>
              <th scope="col">By</th>
              <th scope="col">Change</th>
              <th scope="col" className="num">
                Amount
              </th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id}>
                <td data-label="When">{formatDateTime(entry.at)}</td>
                <td data-label="Action">
                  {entry.action}
                  <span className="muted ids"> {entry.targetType}</span>
                </td>
                <td data-label="By">
                  {entry.actorId} <span className="muted">({entry.source.toLowerCase()})</span>
                </td>
                <td data-label="Change">{entry.before || entry.after ? `${entry.before ?? '—'} → ${entry.after ?? '—'}` : '—'}</td>
                <td data-label="Amount" className="num">
                  {entry.amount === null || entry.amount === undefined ? '—' : formatMoney(entry.amount)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {data.auditLog.pageInfo.hasNextPage && (
        <button type="button" onClick={() => setPages((p) => p + 1)} disabled={loading}>
          Show older entries
        </button>
      )}
    </>
  );
}
