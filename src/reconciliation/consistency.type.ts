import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'One way our record and Stripe disagree about a payment attempt' })
export class ConsistencyDifference {
  @Field(() => ID)
  reservationId!: string;

  @Field(() => ID)
  paymentId!: string;

  @Field({
    description:
      'ATTEMPT_STATUS, OBJECT_MISSING, REFUND_MISSING_HERE, REFUND_MISSING_AT_STRIPE, REFUND_STATUS, REFUNDED_AMOUNT, or BOOKING (an invariant of the booking itself)',
  })
  kind!: string;

  @Field({ description: 'what our rows say' })
  ours!: string;

  @Field({ description: 'what Stripe says' })
  stripe!: string;

  @Field({ description: 'true when what Stripe says settles it: the background reconciliation repairs it' })
  repairable!: boolean;
}

@ObjectType({ description: 'Our amounts and statuses compared with Stripe for every payment touched in a window' })
export class ConsistencyReport {
  @Field()
  from!: Date;

  @Field()
  to!: Date;

  @Field(() => Int)
  checkedPayments!: number;

  @Field(() => [ConsistencyDifference])
  differences!: ConsistencyDifference[];

  @Field(() => [ID], { description: 'payments that could not be read from Stripe this time' })
  uncheckedPaymentIds!: string[];
}
