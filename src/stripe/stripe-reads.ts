/** Reads from Stripe that some facts need (settlement's StripeReads port), answered as facts. */
import type Stripe from 'stripe';
import type { Fact } from '../settlement/facts';
import type { StripeReads } from '../settlement/settlement.service';
import { refundFact } from './stripe-facts';

export class StripeReader implements StripeReads {
  constructor(private readonly stripe: Stripe) {}

  async refundsOfCharge(chargeId: string): Promise<Fact[]> {
    const refunds = await this.stripe.refunds.list({ charge: chargeId, limit: 100 }).autoPagingToArray({ limit: 1000 });
    return refunds.map(refundFact);
  }
}
