import { IsOptional, IsString, IsUrl, Length } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';

@InputType()
export class CreateCheckoutSessionInput {
  @Field(() => ID)
  @IsString()
  @Length(1, 32)
  reservationId!: string;

  @Field(() => String, { nullable: true, description: 'must be on an allowed origin (PUBLIC_URL); may contain {CHECKOUT_SESSION_ID}' })
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'must be an http(s) URL' })
  successUrl?: string;

  @Field(() => String, { nullable: true, description: 'must be on an allowed origin (PUBLIC_URL)' })
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'must be an http(s) URL' })
  cancelUrl?: string;
}
