import fs from 'node:fs';
import path from 'node:path';
import { buildAppSchema, printAppSchema } from '../../src/schema';

it('schema.graphql is exactly the schema the code builds (run `npm run schema:emit`)', async () => {
  const committed = fs.readFileSync(path.join(__dirname, '..', '..', 'schema.graphql'), 'utf8');
  expect(printAppSchema(await buildAppSchema())).toBe(committed);
});

it('schema.graphql keeps every name of the contract core in SPEC.md', () => {
  const sdl = fs.readFileSync(path.join(__dirname, '..', '..', 'schema.graphql'), 'utf8');
  for (const line of [
    'paymentStatus(reservationId: ID!): PaymentStatus!',
    'reservation(id: ID!): Reservation',
    'createReservation(input: CreateReservationInput!): Reservation!',
    'createCheckoutSession(input: CreateCheckoutSessionInput!): CheckoutSession!',
    'retryPayment(reservationId: ID!): CheckoutSession!',
    'refundPayment(input: RefundPaymentInput!): Refund!',
    'enum PaymentState',
    'enum PaymentAttemptStatus',
    'enum ReservationStatus',
    'enum RefundStatus',
    'scalar DateTime',
  ]) {
    expect(sdl).toContain(line);
  }
});
