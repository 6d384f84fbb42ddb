/**
 * Refund one payment attempt: what the policy gives now (refundQuote, computed by
 * the service's policy module), or an explicit amount up to what remains, a
 * reason, then a confirmation step. Confirming sends refundPayment with an
 * idempotency key kept for as long as the request stays the same (RefundKeys):
 * a double click, or "Confirm" again after a lost answer, refunds once.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useSession } from '../auth/session';
import { useQuery } from '../api/use-query';
import { ErrorBox } from '../common/ErrorBox';
import { useFocusWhen } from '../common/focus';
import { formatDateTime } from '../common/dates';
import { formatMoney, parseEuros } from '../common/money';
import { hrefs } from '../common/router';
import {
  ConsoleRefundPaymentDocument,
  ConsoleRefundQuoteDocument,
  type ConsolePaymentStatusFragment,
  type ConsoleRefundFragment,
} from '../graphql/generated';
import { RefundKeys } from './idempotency';

type Attempt = ConsolePaymentStatusFragment['attempts'][number];

interface RefundRequest {
  paymentId: string;
  /** null: the policy amount, decided by the service when it refunds */
  amount: number | null;
  reason: string | null;
  idempotencyKey: string;
  /** what the person confirms: the explicit amount, or the quoted policy amount */
  shownAmount: number;
  tier: string;
}

type Step =
  | { name: 'edit' }
  | { name: 'confirm'; request: RefundRequest; error: unknown; sending: boolean }
  | { name: 'done'; request: RefundRequest; refund: ConsoleRefundFragment };

const TIER_WORDS: Record<string, string> = { FULL: 'full refund', HALF: 'half refund', NONE: 'no refund' };

export function RefundForm({ status, attempt }: { status: ConsolePaymentStatusFragment; attempt: Attempt }) {
  const { call } = useSession();
  const [step, setStep] = useState<Step>({ name: 'edit' });
  const [mode, setMode] = useState<'policy' | 'amount' | null>(null);
  const [amountText, setAmountText] = useState('');
  const [reason, setReason] = useState('');
  const [problems, setProblems] = useState<{ amount?: string; mode?: string }>({});
  const [quoteRevision, setQuoteRevision] = useState(0);
  const keys = useRef(new RefundKeys());
  const sending = useRef(false);
  const reservationId = status.reservation.id;
  const remaining = attempt.amount - attempt.refundedAmount;

  // while the form is being filled in, the quote follows the payment's live changes
  useEffect(() => {
    if (step.name === 'edit') setQuoteRevision((r) => r + 1);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [attempt.refundedAmount]);
  const quote = useQuery(ConsoleRefundQuoteDocument, { paymentId: attempt.id }, `${attempt.id}|${quoteRevision}`, step.name === 'edit');
  const q = quote.data?.refundQuote;
  const chosen = mode ?? (q ? (q.amount > 0 ? 'policy' : 'amount') : null);

  const headingRef = useFocusWhen<HTMLHeadingElement>(step.name === 'edit', attempt.id);
  const amountRef = useRef<HTMLInputElement>(null);
  const confirmRef = useFocusWhen<HTMLHeadingElement>(step.name === 'confirm' && !step.error);
  const resultRef = useFocusWhen<HTMLDivElement>(step.name === 'done');

  function review(event: FormEvent) {
    event.preventDefault();
    if (!q) return;
    const found: { amount?: string; mode?: string } = {};
    let amount: number | null = null;
    if (chosen === 'amount') {
      amount = parseEuros(amountText);
      if (amount === null) found.amount = 'Enter an amount in euros, like 60 or 60.50.';
      else if (amount <= 0) found.amount = 'The amount must be more than zero.';
      else if (amount > q.refundableAmount) found.amount = `At most ${formatMoney(q.refundableAmount, q.currency)} remains refundable on this payment.`;
    } else if (q.amount <= 0) {
      found.mode = 'The policy refunds nothing now: give an explicit amount instead.';
    }
    setProblems(found);
    if (found.amount) {
      amountRef.current?.focus();
      return;
    }
    if (found.mode) return;
    const trimmed = reason.trim() || null;
    const request = { paymentId: attempt.id, amount, reason: trimmed };
    setStep({
      name: 'confirm',
      request: { ...request, idempotencyKey: keys.current.keyFor(request), shownAmount: amount ?? q.amount, tier: amount === null ? q.tier : 'ADMIN' },
      error: null,
      sending: false,
    });
  }

  async function confirm(request: RefundRequest) {
    if (sending.current) return; // the same click twice before the page updated: one request (and the key makes sure)
    sending.current = true;
    setStep({ name: 'confirm', request, error: null, sending: true });
    try {
      const { refundPayment } = await call(ConsoleRefundPaymentDocument, {
        input: { paymentId: request.paymentId, amount: request.amount, reason: request.reason, idempotencyKey: request.idempotencyKey },
      });
      keys.current.used();
      setStep({ name: 'done', request, refund: refundPayment });
    } catch (error) {
      setStep({ name: 'confirm', request, error, sending: false });
    } finally {
      sending.current = false;
    }
  }

  function again() {
    setAmountText('');
    setReason('');
    setMode(null);
    setStep({ name: 'edit' });
  }

  return (
    <section className="panel refund" aria-labelledby="refund-heading">
      <h2 id="refund-heading" tabIndex={-1} ref={headingRef}>
        Refund attempt {attempt.attempt}
      </h2>
      <p>
        Paid {formatMoney(attempt.amount, attempt.currency)}, refunded {formatMoney(attempt.refundedAmount, attempt.currency)}:{' '}
        <strong>{formatMoney(remaining, attempt.currency)} remains refundable</strong>.
      </p>

      {step.name === 'edit' && (
        <>
          <ErrorBox error={quote.error} />
          {!q && !quote.error && <p aria-busy="true">Asking the service what the policy gives…</p>}
          {q && (
            <form onSubmit={review} noValidate>
              <p className="quote" data-testid="quote">
                Cancellation policy now: <strong>{formatMoney(q.amount, q.currency)}</strong> ({TIER_WORDS[q.tier] ?? q.tier}). {q.reason}.
              </p>
              <fieldset>
                <legend>How much</legend>
                {problems.mode && (
                  <p className="field-error" role="alert">
                    {problems.mode}
                  </p>
                )}
                <div className="choice">
                  <input
                    type="radio"
                    id="refund-mode-policy"
                    name="mode"
                    checked={chosen === 'policy'}
                    disabled={q.amount <= 0}
                    onChange={() => setMode('policy')}
                  />
                  <label htmlFor="refund-mode-policy">
                    The policy amount, {formatMoney(q.amount, q.currency)} (cancels the reservation)
                  </label>
                </div>
                <div className="choice">
                  <input type="radio" id="refund-mode-amount" name="mode" checked={chosen === 'amount'} onChange={() => setMode('amount')} />
                  <label htmlFor="refund-mode-amount">An explicit amount (goodwill or a correction)</label>
                </div>
                <div className="field">
                  <label htmlFor="refund-amount">Amount in euros</label>
                  <input
                    id="refund-amount"
                    ref={amountRef}
                    inputMode="decimal"
                    autoComplete="off"
                    value={amountText}
                    disabled={chosen !== 'amount'}
                    aria-invalid={problems.amount ? true : undefined}
                    aria-describedby={problems.amount ? 'refund-amount-error refund-amount-hint' : 'refund-amount-hint'}
                    onChange={(event) => setAmountText(event.target.value)}
                  />
                  <p className="hint" id="refund-amount-hint">
                    At most {formatMoney(q.refundableAmount, q.currency)}.
                  </p>
                  {problems.amount && (
                    <p className="field-error" id="refund-amount-error" role="alert">
                      {problems.amount}
                    </p>
                  )}
                </div>
              </fieldset>
              <div className="field">
                <label htmlFor="refund-reason">Reason (optional, kept with the refund)</label>
                <textarea id="refund-reason" maxLength={500} rows={2} value={reason} onChange={(event) => setReason(event.target.value)} />
              </div>
              <div className="actions">
                <button type="submit">Review refund</button>
                <a className="button-link secondary" href={hrefs.reservation(reservationId)}>
                  Cancel
                </a>
              </div>
            </form>
          )}
        </>
      )}

      {step.name === 'confirm' && (
        <div className="confirm">
          <h3 tabIndex={-1} ref={confirmRef}>
            Confirm the refund
          </h3>
          <dl>
            <dt>Amount</dt>
            <dd data-testid="confirm-amount">{formatMoney(step.request.shownAmount, attempt.currency)}</dd>
            <dt>To</dt>
            <dd>
              {status.reservation.guestId}, reservation {reservationId}, attempt {attempt.attempt}
            </dd>
            <dt>Why</dt>
            <dd>
              {step.request.amount === null
                ? `The cancellation policy (${TIER_WORDS[step.request.tier] ?? step.request.tier}, as quoted at ${formatDateTime(q?.quotedAt)}): the reservation is cancelled once Stripe accepts it.`
                : 'An explicit amount: the reservation stands, unless this completes a full refund.'}
              {step.request.reason && ` “${step.request.reason}”`}
            </dd>
          </dl>
          <ErrorBox error={step.error} />
          <div className="actions">
            <button type="button" disabled={step.sending} aria-busy={step.sending} onClick={() => void confirm(step.request)}>
              {step.sending ? 'Refunding…' : step.error ? 'Confirm refund again' : 'Confirm refund'}
            </button>
            <button type="button" className="secondary" disabled={step.sending} onClick={() => setStep({ name: 'edit' })}>
              Change
            </button>
          </div>
          {step.error != null && (
            <p className="hint">Sending again uses the same idempotency key: whatever happened to the first request, the payment is refunded once.</p>
          )}
        </div>
      )}

      {step.name === 'done' && (
        <div className={`result result-${step.refund.status.toLowerCase()}`} role="status" tabIndex={-1} ref={resultRef} data-testid="refund-result">
          {step.refund.status === 'SUCCEEDED' && (
            <p>
              Refunded {formatMoney(step.refund.amount, step.refund.currency)}. Stripe refund <code>{step.refund.stripeRefundId}</code>.
            </p>
          )}
          {step.refund.status === 'PENDING' && (
            <p>
              Refund of {formatMoney(step.refund.amount, step.refund.currency)} is PENDING: Stripe has not confirmed it yet. It completes by itself; the
              Refunds list below follows it.
            </p>
          )}
          {(step.refund.status === 'FAILED' || step.refund.status === 'CANCELED') && (
            <p>
              Stripe did not make this refund ({step.refund.status}): nothing was refunded.
            </p>
          )}
          <div className="actions">
            <a className="button-link secondary" href={hrefs.reservation(reservationId)}>
              Close
            </a>
            {attempt.amount - attempt.refundedAmount > 0 && (
              <button type="button" className="secondary" onClick={again}>
                Make another refund
              </button>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
