import { IsInt, IsOptional, IsString, IsUUID, Length, Min } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';

@InputType()
export class RefundPaymentInput {
  @Field(() => ID)
  @IsUUID('all', { message: 'is not a payment id' })
  paymentId!: string;

  @Field(() => Int, { nullable: true, description: 'ADMIN only: euro cents to refund; guests get the cancellation policy amount' })
  @IsOptional()
  @IsInt()
  @Min(1, { message: 'must be a positive number of cents' })
  amount?: number;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string;

  @Field(() => String, {
    nullable: true,
    description: 'Any unique string per refund request: sending the same request again returns the same refund instead of refunding twice',
  })
  @IsOptional()
  @IsString()
  @Length(8, 100)
  idempotencyKey?: string;
}
