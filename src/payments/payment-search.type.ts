import { Field, ObjectType } from 'type-graphql';
import { PageInfo } from '../common/pagination';
import { Payment } from './payment.type';

@ObjectType({ description: 'One payment attempt in a page of paymentsConnection' })
export class PaymentEdge {
  @Field({ description: 'the position of this attempt in the list (for `after`)' })
  cursor!: string;

  @Field(() => Payment)
  node!: Payment;
}

@ObjectType({ description: 'A page of payment attempts, newest first' })
export class PaymentConnection {
  @Field(() => [PaymentEdge])
  edges!: PaymentEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
