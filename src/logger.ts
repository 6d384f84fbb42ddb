import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

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

/**
 * JSON lines for machines (log collectors); for a person at a terminal
 * (LOG_FORMAT=pretty, the default when stdout is a TTY) the same records
 * pretty-printed in-process, one line each, with the request id kept.
 */
export function createLogger(level: string, format: 'pretty' | 'json' = 'json', destination?: pino.DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'booking-payment-api' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (format === 'json') return destination ? pino(options, destination) : pino(options);
  return pino(options, pretty({ colorize: true, sync: true, singleLine: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,service' }));
}
