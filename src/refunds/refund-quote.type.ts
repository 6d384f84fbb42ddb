import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

/** The cancellation policy's tiers (src/refunds/refund-policy.ts). */
export enum RefundTier {
  FULL = 'FULL',
  HALF = 'HALF',
  NONE = 'NONE',
}

registerEnumType(RefundTier, {
  name: 'RefundTier',
  description: 'The cancellation policy by whole days before check-in: FULL (14 or more), HALF (7 to 13), NONE (under 7)',
});

@ObjectType({ description: 'What refunding a payment would give now, by the same policy as refundPayment; nothing is refunded or held' })
export class RefundQuote {
  @Field(() => ID)
  paymentId!: string;

  @Field(() => Int, { description: 'euro cents refundPayment without an amount (the policy refund) would refund now; 0 when nothing is due' })
  amount!: number;

  @Field(() => RefundTier, { description: 'the policy tier at this moment' })
  tier!: RefundTier;

  @Field({ description: 'why, in words for people' })
  reason!: string;

  @Field(() => Int, { description: 'whole 24-hour periods from now to check-in (negative once it has passed)' })
  daysBeforeCheckIn!: number;

  @Field(() => Int, { description: 'euro cents that remain refundable: the most an explicit (ADMIN) amount may be now' })
  refundableAmount!: number;

  @Field()
  currency!: string;

  @Field({ description: 'the instant the quote was computed for (the tier changes with time)' })
  quotedAt!: Date;
}
