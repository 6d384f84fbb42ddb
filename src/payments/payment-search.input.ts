import { IsDate, IsEnum, IsOptional, IsString, Length, Matches } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { PaymentAttemptStatus } from '../db';
import { RESERVATION_ID_PATTERN } from '../reservations/reservation-id';

@InputType({ description: 'ADMIN: which payment attempts paymentsConnection lists (every given condition must hold)' })
export class PaymentFilter {
  @Field(() => PaymentAttemptStatus, { nullable: true })
  @IsOptional()
  @IsEnum(PaymentAttemptStatus)
  status?: PaymentAttemptStatus | null;

  @Field(() => ID, { nullable: true, description: 'the attempts of this reservation (RES-YYYY-XXXXXX)' })
  @IsOptional()
  @Matches(RESERVATION_ID_PATTERN, { message: 'is not a reservation id (RES-YYYY-XXXXXX)' })
  reservationId?: string | null;

  @Field(() => ID, { nullable: true, description: "the attempts of this guest's reservations (the guest's user id)" })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  guestId?: string | null;

  @Field(() => Date, { nullable: true, description: 'attempts started at or after this instant' })
  @IsOptional()
  @IsDate()
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'attempts started before this instant' })
  @IsOptional()
  @IsDate()
  to?: Date | null;
}
