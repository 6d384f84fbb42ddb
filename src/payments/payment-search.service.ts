/**
 * The admin console's payment list: attempts matching a filter, newest first,
 * a page at a time by keyset cursor (src/common/pagination.ts). Reads only, on
 * Prisma, outside any unit of work.
 *
 * An admin sees its own organization's attempts only (src/db/org-scope.ts).
 */
import type { Payment, Prisma, PrismaClient } from '../db';
import { orgScope } from '../db/org-scope';
import { badInput } from '../errors';
import { decodeTimeCursor, encodeTimeCursor, pageOf } from '../common/pagination';
import type { PaymentFilter } from './payment-search.input';

export const MAX_PAGE_SIZE = 200;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface PaymentPage {
  edges: { cursor: string; node: Payment }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export class PaymentSearchService {
  constructor(private readonly prisma: PrismaClient) {}

  async search(orgId: string, filter: PaymentFilter, first: number, after: string | null): Promise<PaymentPage> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) throw badInput('first', `must be between 1 and ${MAX_PAGE_SIZE}`);
    if (filter.from && filter.to && filter.from.getTime() >= filter.to.getTime()) throw badInput('filter.from', 'must be before filter.to');
    const conditions: Prisma.PaymentWhereInput[] = [orgScope.payments(orgId)];
    if (filter.status) conditions.push({ status: filter.status });
    if (filter.reservationId) conditions.push({ reservationId: filter.reservationId });
    if (filter.guestId) conditions.push({ reservation: { guestId: filter.guestId } });
    if (filter.from) conditions.push({ createdAt: { gte: filter.from } });
    if (filter.to) conditions.push({ createdAt: { lt: filter.to } });
    if (after) {
      // strictly after the cursor's row in (createdAt desc, id desc)
      const key = decodeTimeCursor(after, UUID);
      conditions.push({ OR: [{ createdAt: { lt: key.createdAt } }, { createdAt: key.createdAt, id: { lt: key.id } }] });
    }
    const rows = await this.prisma.payment.findMany({
      where: { AND: conditions },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: first + 1,
    });
    const page = pageOf(rows, first);
    return { edges: page.nodes.map((node) => ({ cursor: encodeTimeCursor(node), node })), pageInfo: page.pageInfo };
  }
}
