/**
 * The services, wired: what the HTTP app (app.ts) serves and what the operator
 * commands (scripts/) run, from one composition, so both act under exactly the
 * same rules.
 */
import type { Database } from './db/database';
import type Stripe from 'stripe';
import type { Clock } from './common/clock';
import type { Log } from './common/log';
import type { Config } from './config';
import type { PrismaClient } from './db';
import { TransitionAuthority } from './lifecycle/transition-authority';
import { AuditRetention } from './audit/audit-retention';
import { AuditTrail } from './audit/audit-trail';
import { UnitOfWork, type Cause, type FollowUp } from './lifecycle/work';
import { notifyChangesOnCommit } from './live/change-notice';
import { CheckoutService } from './payments/checkout.service';
import type { CheckoutUrls } from './payments/checkout-urls';
import { PaymentService } from './payments/payment.service';
import { ConsistencyService } from './reconciliation/consistency.service';
import { ReconciliationService } from './reconciliation/reconciliation.service';
import { RefundService } from './refunds/refund.service';
import { ReservationService } from './reservations/reservation.service';
import { SettlementService } from './settlement/settlement.service';
import { StripeReader } from './stripe/stripe-reads';
import type { Metrics } from './metrics/metrics';
import { metricsObserver } from './metrics/metrics-observer';
import { WebhookWorker } from './webhooks/webhook-worker';
import { WebhookService } from './webhooks/webhook.service';

export interface Services {
  clock: Clock;
  work: UnitOfWork;
  authority: TransitionAuthority;
  settlement: SettlementService;
  reservations: ReservationService;
  checkout: CheckoutService;
  payments: PaymentService;
  refunds: RefundService;
  webhooks: WebhookService;
  webhookWorker: WebhookWorker;
  consistency: ConsistencyService;
  reconciliation: ReconciliationService;
}

export function createServices(deps: {
  prisma: PrismaClient;
  /** hand-written statements on the pool under Prisma: units of work run on it */
  db: Pick<Database, 'pool' | 'sqlOn'>;
  stripe: Stripe;
  clock: Clock;
  config: Pick<Config, 'stripe' | 'webhooks' | 'auditRetentionDays'>;
  checkoutUrls: CheckoutUrls;
  log: Log;
  metrics?: Metrics;
}): Services {
  const { prisma, db, stripe, clock, config, checkoutUrls, log, metrics } = deps;
  const work = new UnitOfWork(db, clock);
  // live status: every committed change of a payment state is announced to every instance (LISTEN/NOTIFY)
  notifyChangesOnCommit(work);
  const authority = new TransitionAuthority();
  // the audit trail: an entry for every move and money action, in the transaction of the change
  new AuditTrail().install(work, authority);
  const settlement = new SettlementService(work, authority, new StripeReader(stripe), metrics);
  if (metrics) authority.observe(metricsObserver(metrics));
  const reservations = new ReservationService(work, clock);
  const checkout = new CheckoutService(prisma, stripe, checkoutUrls, reservations, work, authority, settlement, clock, db, metrics);
  const payments = new PaymentService(prisma, work, authority, clock);
  // a claim older than the SDK can spend on one call (its timeout, each retry, the backoff between) has lost its answer
  const inFlightMs = config.stripe.timeoutMs * (config.stripe.maxNetworkRetries + 1) + 5_000 * config.stripe.maxNetworkRetries + 5_000;
  const refunds = new RefundService(prisma, stripe, work, authority, settlement, clock, inFlightMs);
  const webhooks = new WebhookService(prisma, db, work, settlement, clock, metrics);
  const webhookWorker = new WebhookWorker(webhooks, config.webhooks, log);
  const consistency = new ConsistencyService(prisma, work, stripe, settlement, clock);
  const reconciliation = new ReconciliationService(
    prisma,
    stripe,
    webhooks,
    settlement,
    checkout,
    payments,
    refunds,
    consistency,
    clock,
    log,
    new AuditRetention(db, clock, config.auditRetentionDays),
    metrics,
  );
  // what committed work implies at Stripe; a failure here is logged, and the jobs catch up
  work.setFollowUpRunner(async (followUps: FollowUp[], cause: Cause, followUpLog: Log) => {
    for (const followUp of followUps) {
      try {
        if (followUp.kind === 'expire-session') await checkout.expireAtStripe(followUp.sessionId, cause, followUpLog);
        else await refunds.submitClaim(followUp.refundId, cause, followUpLog);
      } catch (err) {
        followUpLog.warn({ err, followUp }, 'a follow-up Stripe call failed; the background jobs will complete it');
      }
    }
  });
  return { clock, work, authority, settlement, reservations, checkout, payments, refunds, webhooks, webhookWorker, consistency, reconciliation };
}
