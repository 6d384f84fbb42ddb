export { openDatabase, type Database, type QueryEvent } from './database';
export { createLoaders, type Loaders, type ReservationWithAttempts } from './loaders';
export {
  ReservationStatus,
  PaymentAttemptStatus,
  RefundStatus,
  WebhookEventResult,
} from './generated/enums';
export type { Reservation, Payment, Refund, WebhookEvent } from './generated/client';
export { Prisma, PrismaClient } from './generated/client';
