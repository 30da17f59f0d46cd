import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino blanks out wherever they appear in a log record: a second line of defence behind
 * "payloads carry ids, not secrets".
 */
export const REDACT_PATHS = [
  '*.token',
  '*.botToken',
  '*.bot_token',
  '*.apiKey',
  '*.password',
  '*.secret',
  '*.authorization',
  '*.headers.authorization',
  'token',
  'password',
  'apiKey',
];

export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: 'aexy-workers', ...bindings },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
