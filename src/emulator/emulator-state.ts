/**
 * Everything the emulator knows, as one plain JSON-serialisable value, and its
 * file under a data directory: `<dataDir>/state.json`, written atomically
 * (write-file-atomic: a temporary file renamed over the old one), debounced
 * after changes and flushed on close, read back at start. Without a data
 * directory the state lives in memory only (tests).
 */
import fs from 'node:fs';
import path from 'node:path';
import type Stripe from 'stripe';
import writeFileAtomic from 'write-file-atomic';
import type { BillingTask, Job } from './clock-scheduler';
import type { PaymentOutcome } from './emulator-store';
import type { PaymentMethodUsed } from './stripe-objects';

export interface SessionExtras {
  /** `payment_intent_data[metadata]`: copied to the PaymentIntent (the session's own metadata is not) */
  paymentIntentMetadata: Stripe.Metadata;
  lineItems: Stripe.LineItem[];
  /** the card or account last submitted on the hosted page */
  method?: PaymentMethodUsed;
  /** payment mode: `customer_creation: always` (a Customer is created when the session completes) */
  createCustomer?: boolean;
  /** subscription mode: `subscription_data[description]` and `[metadata]` */
  subscriptionData?: { description: string | null; metadata: Stripe.Metadata };
  /** subscription mode: the PaymentIntent of the first invoice (Stripe leaves `session.payment_intent` null) */
  paymentIntent?: string;
  /** subscription mode: the card submitted, saved as a PaymentMethod when the payment succeeds */
  paymentMethod?: string;
}

/** What charging a saved payment method does later, when the customer is not there (renewals, retries). */
export interface PaymentMethodExtras {
  method: PaymentMethodUsed;
  offSession: PaymentOutcome;
}

/** A subscription's billing cycle: periods are counted from `billing_cycle_anchor`. */
export interface SubscriptionExtras {
  /** how many periods have started (1 during the first) */
  periods: number;
}

/** An invoice's payment state beyond the Invoice object. */
export interface InvoiceExtras {
  /** its PaymentIntent (one per invoice, confirmed again on each attempt) */
  paymentIntent: string | null;
  invoicePayment: string | null;
  /** failed automatic attempts (they drive the Smart Retries schedule) */
  automaticFailures: number;
}

/** Billing work of an object on a test clock, due at a frozen time the clock has not reached yet. */
export interface ClockTask {
  clockId: string;
  /** seconds, on the test clock */
  dueAt: number;
  task: BillingTask;
}

/** What a test card does after its charge succeeded. */
export interface ChargeExtras {
  refundsFail: boolean;
  disputes: boolean;
}

/** An answer kept under its idempotency key (24 h of emulator time). */
export interface StoredResponse {
  /** `POST /v1/refunds` */
  endpoint: string;
  /** canonical text of the parameters */
  parameters: string;
  /** seconds, emulator clock */
  createdAt: number;
  /** the `req_…` id of the request that produced it (`Original-Request` on replays) */
  requestId: string;
  status: number;
  body: unknown;
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  secret: string;
}

/** Per event: the endpoints it was sent to and those that answered 2xx. */
export interface EventDelivery {
  targets: string[];
  succeeded: string[];
}

export interface EmulatorState {
  version: 1;
  /** the port the emulator listened on (reused by the next start with the same data directory) */
  port: number | null;
  webhookSecret: string | null;
  sessions: Record<string, Stripe.Checkout.Session>;
  sessionExtras: Record<string, SessionExtras>;
  paymentIntents: Record<string, Stripe.PaymentIntent>;
  charges: Record<string, Stripe.Charge>;
  chargeExtras: Record<string, ChargeExtras>;
  refunds: Record<string, Stripe.Refund>;
  disputes: Record<string, Stripe.Dispute>;
  balanceTransactions: Record<string, Stripe.BalanceTransaction>;
  /** oldest first */
  events: Stripe.Event[];
  eventDelivery: Record<string, EventDelivery>;
  idempotency: Record<string, StoredResponse>;
  jobs: Job[];
  endpoints: WebhookEndpoint[];
  customers: Record<string, Stripe.Customer>;
  /** ids of deleted customers (retrieving one answers Stripe's deleted stub) */
  deletedCustomers: string[];
  paymentMethods: Record<string, Stripe.PaymentMethod>;
  paymentMethodExtras: Record<string, PaymentMethodExtras>;
  products: Record<string, Stripe.Product>;
  prices: Record<string, Stripe.Price>;
  subscriptions: Record<string, Stripe.Subscription>;
  subscriptionExtras: Record<string, SubscriptionExtras>;
  invoices: Record<string, Stripe.Invoice>;
  invoiceExtras: Record<string, InvoiceExtras>;
  invoicePayments: Record<string, Stripe.InvoicePayment>;
  testClocks: Record<string, Stripe.TestHelpers.TestClock>;
  /** billing work waiting for a test clock to be advanced, in the order it was scheduled */
  clockTasks: ClockTask[];
}

export function emptyState(): EmulatorState {
  return {
    version: 1,
    port: null,
    webhookSecret: null,
    sessions: {},
    sessionExtras: {},
    paymentIntents: {},
    charges: {},
    chargeExtras: {},
    refunds: {},
    disputes: {},
    balanceTransactions: {},
    events: [],
    eventDelivery: {},
    idempotency: {},
    jobs: [],
    endpoints: [],
    customers: {},
    deletedCustomers: [],
    paymentMethods: {},
    paymentMethodExtras: {},
    products: {},
    prices: {},
    subscriptions: {},
    subscriptionExtras: {},
    invoices: {},
    invoiceExtras: {},
    invoicePayments: {},
    testClocks: {},
    clockTasks: [],
  };
}

const DEBOUNCE_MS = 100;

export class StateFile {
  readonly file: string;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(readonly dataDir: string) {
    this.file = path.join(dataDir, 'state.json');
  }

  /** The saved state, or an empty one on a first start. A file that cannot be read is an error, not a silent reset. */
  load(): EmulatorState {
    fs.mkdirSync(this.dataDir, { recursive: true });
    if (!fs.existsSync(this.file)) return emptyState();
    const text = fs.readFileSync(this.file, 'utf8');
    let saved: Partial<EmulatorState>;
    try {
      saved = JSON.parse(text) as Partial<EmulatorState>;
    } catch (err) {
      throw new Error(`The Stripe emulator's state file ${this.file} is not valid JSON (${(err as Error).message}); move it away to start empty.`);
    }
    if (saved.version !== 1) throw new Error(`The Stripe emulator's state file ${this.file} has an unknown version; move it away to start empty.`);
    return { ...emptyState(), ...saved };
  }

  /** Writes soon (changes within DEBOUNCE_MS are written together). */
  scheduleSave(state: EmulatorState): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.write(state);
    }, DEBOUNCE_MS);
    this.timer.unref();
  }

  /** Writes now, after any write in progress. */
  async flush(state: EmulatorState): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.write(state);
  }

  private write(state: EmulatorState): Promise<void> {
    const text = JSON.stringify(state);
    this.writing = this.writing.then(() => writeFileAtomic(this.file, text)).catch((err: Error) => {
      process.emitWarning(`the Stripe emulator could not save its state to ${this.file}: ${err.message}`);
    });
    return this.writing;
  }
}
