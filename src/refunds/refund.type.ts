import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { RefundStatus } from '../db';

registerEnumType(RefundStatus, {
  name: 'RefundStatus',
  description: 'PENDING while Stripe processes it; SUCCEEDED, FAILED or CANCELED as Stripe reports',
});

@ObjectType({ description: 'A (partial) refund of a payment' })
export class Refund {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  paymentId!: string;

  @Field(() => Int, { description: 'euro cents' })
  amount!: number;

  @Field()
  currency!: string;

  @Field(() => RefundStatus)
  status!: RefundStatus;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => String, { nullable: true, description: 'which rule set the amount: FULL, HALF, ADMIN, EXTERNAL, HOLD_LAPSED' })
  policy!: string | null;

  @Field(() => String, { nullable: true, description: 'Stripe refund id (re_…)' })
  stripeRefundId!: string | null;

  @Field()
  createdAt!: Date;
}
