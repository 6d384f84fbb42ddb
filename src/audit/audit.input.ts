import { IsDate, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { RESERVATION_ID_PATTERN } from '../reservations/reservation-id';

@InputType({ description: 'ADMIN: which audit entries auditLog lists (every given condition must hold)' })
export class AuditFilter {
  @Field(() => ID, { nullable: true, description: 'entries of this reservation and everything in it (RES-YYYY-XXXXXX)' })
  @IsOptional()
  @Matches(RESERVATION_ID_PATTERN, { message: 'is not a reservation id (RES-YYYY-XXXXXX)' })
  reservationId?: string | null;

  @Field(() => ID, { nullable: true, description: 'entries of this payment attempt and its refunds' })
  @IsOptional()
  @IsUUID()
  paymentId?: string | null;

  @Field(() => String, { nullable: true, description: 'the actor: a user id, `stripe` or `system`' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  actorId?: string | null;

  @Field(() => String, { nullable: true, description: 'one action, e.g. refund.succeeded' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  action?: string | null;

  @Field(() => Date, { nullable: true, description: 'entries at or after this instant' })
  @IsOptional()
  @IsDate()
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'entries before this instant' })
  @IsOptional()
  @IsDate()
  to?: Date | null;
}
