import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ReservationStatus } from '../db';

registerEnumType(ReservationStatus, {
  name: 'ReservationStatus',
  description: 'PENDING until paid (CONFIRMED), its hold lapses (EXPIRED) or it is cancelled with a refund (CANCELLED)',
});

@ObjectType({ description: 'A reservation to be paid; owned by the booking system, known here so it can be paid for' })
export class Reservation {
  @Field(() => ID, { description: 'e.g. RES-2026-7F3K9Q' })
  id!: string;

  @Field(() => ID, { description: 'user id of the guest who owns it' })
  guestId!: string;

  @Field()
  description!: string;

  @Field()
  checkIn!: Date;

  @Field()
  checkOut!: Date;

  @Field(() => Int, { description: 'total in euro cents' })
  amount!: number;

  @Field({ description: 'always EUR' })
  currency!: string;

  @Field(() => ReservationStatus)
  status!: ReservationStatus;

  @Field({ description: 'creation + 24 h: after this an unpaid reservation expires' })
  holdExpiresAt!: Date;

  @Field()
  createdAt!: Date;
}
