import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs. Secrets never reach them: authorization headers, Stripe
 * signatures, cookies and anything named like a secret are redacted, whatever
 * logs them.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["stripe-signature"]',
  'headers.authorization',
  'headers["stripe-signature"]',
  '*.password',
  '*.secret',
  '*.secretKey',
  '*.webhookSecret',
  '*.apiKey',
  '*.token',
];

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'booking-payment-api' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
