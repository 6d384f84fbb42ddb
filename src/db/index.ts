export { openDatabase, type Database, type QueryEvent } from './database';
export { createLoaders, type Loaders, type ReservationWithAttempts } from './loaders';
export {
  ReservationStatus,
  PaymentAttemptStatus,
  RefundStatus,
  WebhookEventResult,
  AuditSource,
} from './generated/enums';
export type { Reservation, Payment, Refund, WebhookEvent, AuditEntry } from './generated/client';
export { Prisma, PrismaClient } from './generated/client';
