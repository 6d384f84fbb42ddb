/**
 * The organization scope of the admin lists (Prisma reads), in one place. An
 * attempt, a refund, an event belong to the organization of their reservation;
 * audit entries carry their own. Single objects are checked by the access rule
 * (src/auth/access.ts), which answers NOT_FOUND across organizations.
 */
import type { Prisma } from './generated/client';

export const orgScope = {
  payments: (orgId: string): Prisma.PaymentWhereInput => ({ reservation: { orgId } }),
  audit: (orgId: string): Prisma.AuditEntryWhereInput => ({ orgId }),
};
