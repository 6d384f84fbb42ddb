/**
 * Reading the audit trail (auditLog): an organization's entries matching a
 * filter, newest first, by keyset cursor on (at, id), which the index
 * audit_entries(org_id, at desc, id desc) serves. Entries inserted while
 * someone pages are newer than any cursor handed out, so pages neither repeat
 * nor skip an entry. Also the export for auditors (npm run audit:export).
 */
import type { AuditEntry, Prisma, PrismaClient } from '../db';
import { decodeTimeCursor, encodeTimeCursor } from '../common/pagination';
import { orgScope } from '../db/org-scope';
import { badInput } from '../errors';
import type { AuditFilter } from './audit.input';

export const MAX_AUDIT_PAGE = 200;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const cursorOf = (e: AuditEntry) => encodeTimeCursor({ createdAt: e.at, id: e.id });

export interface AuditPage {
  edges: { cursor: string; node: AuditEntry }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export class AuditService {
  constructor(private readonly prisma: PrismaClient) {}

  async page(orgId: string, filter: AuditFilter, first: number, after: string | null): Promise<AuditPage> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_AUDIT_PAGE) throw badInput('first', `must be between 1 and ${MAX_AUDIT_PAGE}`);
    const conditions = this.conditions(orgId, filter);
    if (after) {
      const key = decodeTimeCursor(after, UUID);
      conditions.push({ OR: [{ at: { lt: key.createdAt } }, { at: key.createdAt, id: { lt: key.id } }] });
    }
    const rows = await this.prisma.auditEntry.findMany({ where: { AND: conditions }, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: first + 1 });
    const nodes = rows.slice(0, first);
    const last = nodes[nodes.length - 1];
    return {
      edges: nodes.map((node) => ({ cursor: cursorOf(node), node })),
      pageInfo: { hasNextPage: rows.length > first, endCursor: last ? cursorOf(last) : null },
    };
  }

  /** Every entry of an organization in a window, oldest first, a batch at a time (the export). */
  async *entries(orgId: string, filter: AuditFilter, batch = 500): AsyncGenerator<AuditEntry> {
    let cursor: { at: Date; id: string } | null = null;
    for (;;) {
      const conditions = this.conditions(orgId, filter);
      if (cursor) conditions.push({ OR: [{ at: { gt: cursor.at } }, { at: cursor.at, id: { gt: cursor.id } }] });
      const rows: AuditEntry[] = await this.prisma.auditEntry.findMany({ where: { AND: conditions }, orderBy: [{ at: 'asc' }, { id: 'asc' }], take: batch });
      yield* rows;
      if (rows.length < batch) return;
      const last = rows[rows.length - 1];
      cursor = { at: last.at, id: last.id };
    }
  }

  private conditions(orgId: string, filter: AuditFilter): Prisma.AuditEntryWhereInput[] {
    if (filter.from && filter.to && filter.from.getTime() >= filter.to.getTime()) throw badInput('filter.from', 'must be before filter.to');
    const conditions: Prisma.AuditEntryWhereInput[] = [orgScope.audit(orgId)];
    if (filter.reservationId) conditions.push({ reservationId: filter.reservationId });
    if (filter.paymentId) conditions.push({ paymentId: filter.paymentId });
    if (filter.actorId) conditions.push({ actorId: filter.actorId });
    if (filter.action) conditions.push({ action: filter.action });
    if (filter.from) conditions.push({ at: { gte: filter.from } });
    if (filter.to) conditions.push({ at: { lt: filter.to } });
    return conditions;
  }
}
