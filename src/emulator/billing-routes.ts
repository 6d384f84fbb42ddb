/**
 * The REST routes of customers, payment methods, products, prices,
 * subscriptions, invoices, invoice payments and test clocks. Each names the
 * SDK parameter type it is checked against and, for path ids, the `param`
 * Stripe's errors use.
 */
import type Stripe from 'stripe';
import type { Billing } from './billing';
import type { Customers } from './customers';
import type { Route } from './emulator-http';
import { list, select } from './lists';
import { checked } from './params';
import type { TestClocks } from './test-clocks';

export interface BillingParts {
  customers: Customers;
  billing: Billing;
  clocks: TestClocks;
}

export function billingRoutes({ customers, billing, clocks }: BillingParts): Route[] {
  return [
    // ---- customers (search before :id, which would match "search")
    {
      method: 'GET',
      pattern: '/v1/customers/search',
      schema: 'CustomerSearchParams',
      run: (p) => customers.search(checked<Stripe.CustomerSearchParams>(p)),
    },
    { method: 'POST', pattern: '/v1/customers', schema: 'CustomerCreateParams', run: (p, _id, request) => customers.create(checked<Stripe.CustomerCreateParams>(p), request) },
    { method: 'GET', pattern: '/v1/customers', schema: 'CustomerListParams', run: (p) => list('/v1/customers', select(customers.list(checked<Stripe.CustomerListParams>(p)), p, []), p) },
    { method: 'GET', pattern: '/v1/customers/:id', schema: 'CustomerRetrieveParams', run: (_p, id) => customers.retrieve(id) },
    { method: 'POST', pattern: '/v1/customers/:id', schema: 'CustomerUpdateParams', run: (p, id, request) => customers.update(id, checked<Stripe.CustomerUpdateParams>(p), request) },
    { method: 'DELETE', pattern: '/v1/customers/:id', schema: 'CustomerDeleteParams', run: (_p, id, request) => customers.delete(id, request) },
    {
      method: 'GET',
      pattern: '/v1/customers/:customer/payment_methods',
      schema: 'CustomerListPaymentMethodsParams',
      run: (p, id) => {
        const params = checked<Stripe.CustomerListPaymentMethodsParams>(p);
        return list(`/v1/customers/${id}/payment_methods`, customers.listPaymentMethods(id, params.type, 'customer'), p);
      },
    },

    // ---- payment methods
    {
      method: 'GET',
      pattern: '/v1/payment_methods',
      schema: 'PaymentMethodListParams',
      run: (p) => {
        const params = checked<Stripe.PaymentMethodListParams>(p);
        return list('/v1/payment_methods', customers.listPaymentMethods(params.customer, params.type, 'customer'), p);
      },
    },
    { method: 'GET', pattern: '/v1/payment_methods/:payment_method', schema: 'PaymentMethodRetrieveParams', run: (_p, id) => customers.paymentMethod(id) },
    {
      method: 'POST',
      pattern: '/v1/payment_methods/:payment_method/attach',
      schema: 'PaymentMethodAttachParams',
      run: (p, id, request) => customers.attach(id, checked<Stripe.PaymentMethodAttachParams>(p), request),
    },
    { method: 'POST', pattern: '/v1/payment_methods/:payment_method/detach', schema: 'PaymentMethodDetachParams', run: (_p, id, request) => customers.detach(id, request) },

    // ---- products and prices
    { method: 'POST', pattern: '/v1/products', schema: 'ProductCreateParams', run: (p, _id, request) => billing.createProduct(checked<Stripe.ProductCreateParams>(p), request) },
    { method: 'GET', pattern: '/v1/products', schema: 'ProductListParams', run: (p) => list('/v1/products', select(billing.listProducts(checked<Stripe.ProductListParams>(p)), p, []), p) },
    { method: 'GET', pattern: '/v1/products/:id', schema: 'ProductRetrieveParams', run: (_p, id) => billing.product(id) },
    { method: 'POST', pattern: '/v1/prices', schema: 'PriceCreateParams', run: (p, _id, request) => billing.createPrice(checked<Stripe.PriceCreateParams>(p), request) },
    { method: 'GET', pattern: '/v1/prices', schema: 'PriceListParams', run: (p) => list('/v1/prices', select(billing.listPrices(checked<Stripe.PriceListParams>(p)), p, []), p) },
    { method: 'GET', pattern: '/v1/prices/:price', schema: 'PriceRetrieveParams', run: (_p, id) => billing.price(id) },

    // ---- subscriptions
    {
      method: 'GET',
      pattern: '/v1/subscriptions',
      schema: 'SubscriptionListParams',
      run: (p) => list('/v1/subscriptions', select(billing.listSubscriptions(checked<Stripe.SubscriptionListParams>(p)), p, []), p),
    },
    { method: 'GET', pattern: '/v1/subscriptions/:subscription_exposed_id', schema: 'SubscriptionRetrieveParams', run: (_p, id) => billing.subscription(id) },
    {
      method: 'POST',
      pattern: '/v1/subscriptions/:subscription_exposed_id',
      schema: 'SubscriptionUpdateParams',
      run: (p, id, request) => billing.updateSubscription(id, checked<Stripe.SubscriptionUpdateParams>(p), request),
    },
    {
      method: 'DELETE',
      pattern: '/v1/subscriptions/:subscription_exposed_id',
      schema: 'SubscriptionCancelParams',
      run: (p, id, request) => billing.cancelSubscription(id, checked<Stripe.SubscriptionCancelParams>(p), request),
    },

    // ---- invoices and their payments
    { method: 'GET', pattern: '/v1/invoices', schema: 'InvoiceListParams', run: (p) => list('/v1/invoices', select(billing.listInvoices(checked<Stripe.InvoiceListParams>(p)), p, []), p) },
    { method: 'GET', pattern: '/v1/invoices/:invoice', schema: 'InvoiceRetrieveParams', run: (_p, id) => billing.invoice(id) },
    {
      method: 'GET',
      pattern: '/v1/invoices/:invoice/lines',
      schema: 'InvoiceListLineItemsParams',
      run: (p, id) => list(`/v1/invoices/${id}/lines`, [...billing.invoice(id).lines.data].reverse(), p),
    },
    { method: 'POST', pattern: '/v1/invoices/:invoice/pay', schema: 'InvoicePayParams', run: (p, id, request) => billing.payInvoice(id, checked<Stripe.InvoicePayParams>(p), request) },
    {
      method: 'GET',
      pattern: '/v1/invoice_payments',
      schema: 'InvoicePaymentListParams',
      run: (p) => list('/v1/invoice_payments', select(billing.listInvoicePayments(checked<Stripe.InvoicePaymentListParams>(p)), p, []), p),
    },
    { method: 'GET', pattern: '/v1/invoice_payments/:invoice_payment', schema: 'InvoicePaymentRetrieveParams', run: (_p, id) => billing.invoicePayment(id) },

    // ---- test clocks
    {
      method: 'POST',
      pattern: '/v1/test_helpers/test_clocks',
      schema: 'TestClockCreateParams',
      run: (p, _id, request) => clocks.create(checked<Stripe.TestHelpers.TestClockCreateParams>(p), request),
    },
    { method: 'GET', pattern: '/v1/test_helpers/test_clocks', schema: 'TestClockListParams', run: (p) => list('/v1/test_helpers/test_clocks', clocks.list(), p) },
    { method: 'GET', pattern: '/v1/test_helpers/test_clocks/:test_clock', schema: 'TestClockRetrieveParams', run: (_p, id) => clocks.clock(id) },
    { method: 'DELETE', pattern: '/v1/test_helpers/test_clocks/:test_clock', schema: 'TestClockDeleteParams', run: (_p, id, request) => clocks.delete(id, request) },
    {
      method: 'POST',
      pattern: '/v1/test_helpers/test_clocks/:test_clock/advance',
      schema: 'TestClockAdvanceParams',
      run: (p, id, request) => clocks.advance(id, checked<Stripe.TestHelpers.TestClockAdvanceParams>(p), request),
    },
  ];
}
