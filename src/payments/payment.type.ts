import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PaymentAttemptStatus } from '../db';
import { Reservation } from '../reservations/reservation.type';
import { Refund } from '../refunds/refund.type';
import { PaymentState } from './payment-rules';

registerEnumType(PaymentAttemptStatus, {
  name: 'PaymentAttemptStatus',
  description: 'One checkout attempt: PENDING (session open) → SUCCEEDED | FAILED | EXPIRED | CANCELED; SUCCEEDED → PARTIALLY_REFUNDED → REFUNDED',
});

registerEnumType(PaymentState, { name: 'PaymentState', description: "Where a reservation's payment stands overall" });

@ObjectType({ description: 'One checkout attempt for a reservation (attempt 1..3)' })
export class Payment {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  reservationId!: string;

  @Field(() => Int)
  attempt!: number;

  @Field(() => PaymentAttemptStatus)
  status!: PaymentAttemptStatus;

  @Field(() => Int, { description: 'euro cents' })
  amount!: number;

  @Field()
  currency!: string;

  @Field(() => Int, { description: 'euro cents refunded so far' })
  refundedAmount!: number;

  @Field(() => String, { nullable: true, description: 'Stripe Checkout Session id (cs_…)' })
  checkoutSessionId!: string | null;

  @Field(() => String, { nullable: true, description: 'Stripe PaymentIntent id (pi_…)' })
  paymentIntentId!: string | null;

  @Field(() => String, { nullable: true })
  checkoutUrl!: string | null;

  @Field(() => Date, { nullable: true, description: 'when the checkout session expires' })
  expiresAt!: Date | null;

  @Field(() => String, { nullable: true, description: "last failure code from Stripe, e.g. card_declined" })
  failureCode!: string | null;

  @Field(() => String, { nullable: true })
  failureMessage!: string | null;

  @Field()
  disputed!: boolean;

  @Field(() => [Refund])
  refunds!: Refund[];

  @Field()
  createdAt!: Date;
}

@ObjectType({ description: 'A Stripe Checkout Session to send the guest to' })
export class CheckoutSession {
  @Field(() => ID)
  paymentId!: string;

  @Field({ description: 'cs_…' })
  sessionId!: string;

  @Field({ description: 'the hosted checkout page' })
  url!: string;

  @Field()
  expiresAt!: Date;

  @Field(() => Int)
  amount!: number;

  @Field()
  currency!: string;

  @Field(() => Int)
  attempt!: number;
}

@ObjectType({ description: "Everything the front end needs to show where a reservation's payment stands" })
export class PaymentStatus {
  @Field(() => Reservation)
  reservation!: Reservation;

  @Field(() => PaymentState)
  state!: PaymentState;

  @Field(() => [Payment], { description: 'newest first' })
  attempts!: Payment[];

  @Field(() => Int)
  attemptCount!: number;

  @Field(() => Int)
  attemptsRemaining!: number;

  @Field({ description: 'true exactly when retryPayment would succeed now' })
  canRetry!: boolean;

  @Field(() => Int)
  amountPaid!: number;

  @Field(() => Int)
  amountRefunded!: number;

  @Field(() => [Refund])
  refunds!: Refund[];
}
