import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AuditSource } from '../db';
import { PageInfo } from '../common/pagination';

registerEnumType(AuditSource, { name: 'AuditSource', description: 'What made the change: an API call, a Stripe webhook, or a background job' });

@ObjectType({ description: 'One action that moved money or a booking’s state; entries are never changed' })
export class AuditEntry {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'when the change was made (the transaction’s instant)' })
  at!: Date;

  @Field({ description: 'the user id of an API caller, `stripe` for webhooks, `system` (or `operator`) for jobs' })
  actorId!: string;

  @Field({ description: 'GUEST or ADMIN for API callers, STRIPE, SYSTEM' })
  actorRole!: string;

  @Field()
  orgId!: string;

  @Field(() => AuditSource)
  source!: AuditSource;

  @Field({ description: 'what happened, e.g. refund.requested (README, "Audit trail", lists them)' })
  action!: string;

  @Field({ description: 'reservation, payment, refund, dispute, payment_link or notification' })
  targetType!: string;

  @Field()
  targetId!: string;

  @Field(() => String, { nullable: true, description: 'the status before the change, when one moved' })
  before!: string | null;

  @Field(() => String, { nullable: true, description: 'the status after the change' })
  after!: string | null;

  @Field(() => Int, { nullable: true, description: 'money moved or asked for, in cents' })
  amount!: number | null;

  @Field(() => String, { nullable: true, description: 'API calls: the request’s x-request-id; jobs: the job' })
  requestId!: string | null;

  @Field(() => String, { nullable: true, description: 'webhooks: the Stripe event' })
  stripeEventId!: string | null;

  @Field(() => String, { nullable: true, description: 'API calls: the client’s address' })
  ip!: string | null;

  @Field(() => String, { nullable: true, description: 'API calls: the client’s user agent' })
  userAgent!: string | null;

  @Field(() => ID, { nullable: true, description: 'the reservation the target belongs to' })
  reservationId!: string | null;

  @Field(() => ID, { nullable: true, description: 'the payment attempt the target belongs to' })
  paymentId!: string | null;
}

@ObjectType()
export class AuditEdge {
  @Field({ description: 'the position of this entry (for `after`)' })
  cursor!: string;

  @Field(() => AuditEntry)
  node!: AuditEntry;
}

@ObjectType({ description: 'A page of audit entries, newest first' })
export class AuditConnection {
  @Field(() => [AuditEdge])
  edges!: AuditEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
