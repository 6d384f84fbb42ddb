import { IsDate, IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { CURRENCY, MAX_AMOUNT_CENTS } from '../common/money';
import { IsAfter } from '../common/validators';

@InputType({ description: 'Sent by the booking system (ADMIN token) when a guest books' })
export class CreateReservationInput {
  @Field(() => ID)
  @IsString()
  @Length(1, 128)
  guestId!: string;

  @Field()
  @IsString()
  @Length(1, 500)
  description!: string;

  @Field()
  @IsDate()
  checkIn!: Date;

  @Field()
  @IsDate()
  @IsAfter('checkIn')
  checkOut!: Date;

  @Field(() => Int, { description: 'total in euro cents, > 0' })
  @IsInt()
  @Min(1, { message: 'must be a positive number of cents' })
  @Max(MAX_AMOUNT_CENTS, { message: `must be at most ${MAX_AMOUNT_CENTS} cents` })
  amount!: number;

  @Field(() => String, { nullable: true, description: 'EUR (the default); any other currency is rejected' })
  @IsOptional()
  @IsIn([CURRENCY], { message: 'only EUR is accepted' })
  currency?: string;
}
