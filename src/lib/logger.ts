import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';

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

export type LogFormat = 'auto' | 'json' | 'pretty';

/**
 * The process's logger. `auto` (LOG_FORMAT's default): human-readable lines (pino-pretty: time,
 * level, message, then the fields) when stdout is a terminal, one JSON object a line everywhere else
 * (a file, a pipe, Docker, a log shipper). Redaction applies to both.
 */
export function createLogger(
  level: string,
  bindings: Record<string, unknown> = {},
  opts: { format?: LogFormat; destination?: NodeJS.WritableStream } = {},
): Logger {
  const format = opts.format ?? ((process.env.LOG_FORMAT as LogFormat | undefined) || 'auto');
  const pretty = format === 'pretty' || (format === 'auto' && !opts.destination && process.stdout.isTTY === true);
  const options = {
    level,
    base: { service: 'aexy-workers', ...bindings },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  const stream = pretty ? prettyStream(opts.destination) : (opts.destination as DestinationStream | undefined);
  return stream ? pino(options, stream) : pino(options);
}

/** pino-pretty, written synchronously (no worker thread, nothing lost at exit); null when it is not installed. */
function prettyStream(destination?: NodeJS.WritableStream): DestinationStream | undefined {
  try {
    const pretty = createRequire(import.meta.url)('pino-pretty') as (o: Record<string, unknown>) => DestinationStream;
    return pretty({
      colorize: !destination && process.stdout.isTTY === true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,service',
      sync: true,
      ...(destination ? { destination } : {}),
    });
  } catch {
    return destination as DestinationStream | undefined;
  }
}
