import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { PaymentState } from '../payments/payment-rules';

/** Which built-in result page asks (the wording of an unfinished payment differs). */
export enum PaymentResultPage {
  SUCCESS = 'success',
  CANCELLED = 'cancelled',
}
registerEnumType(PaymentResultPage, { name: 'PaymentResultPage', description: 'The built-in payment result page that subscribes' });

@ObjectType({
  description:
    "What a built-in payment result page shows (no amounts, names or other ids): the same view as its state endpoint",
})
export class PaymentResultView {
  @Field(() => PaymentState)
  state!: PaymentState;

  @Field({ description: 'a delayed-method payment (SEPA) that Stripe is still collecting' })
  processing!: boolean;

  @Field()
  title!: string;

  @Field()
  detail!: string;

  @Field({ description: 'nothing will change by itself any more' })
  final!: boolean;
}
