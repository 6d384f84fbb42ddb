import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { requireUser } from '../auth/access';
import { COST } from '../http/query-cost';
import { type RequestContext, callerOf } from '../http/request-context';
import { CreateReservationInput } from './reservation.input';
import { ReservationService } from './reservation.service';
import { Reservation } from './reservation.type';

@Resolver(() => Reservation)
export class ReservationResolver {
  constructor(private readonly reservations: ReservationService) {}

  @Authorized()
  @Query(() => Reservation, {
    nullable: true,
    complexity: COST.read,
    description: 'A reservation, for its guest or an admin; null when no reservation has this id',
  })
  reservation(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return this.reservations.findForUser(id, requireUser(ctx.user), ctx.loaders);
  }

  @Authorized('ADMIN')
  @Mutation(() => Reservation, { complexity: COST.write, description: "ADMIN (the booking system's service account): record a new reservation" })
  createReservation(@Arg('input') input: CreateReservationInput, @Ctx() ctx: RequestContext) {
    return this.reservations.create(input, callerOf(ctx));
  }
}
