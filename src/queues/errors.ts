/**
 * Named error kinds a processor throws to tell the worker runtime what to do next:
 * - TransientError: retry with the job's backoff (also the default for any other Error);
 * - PermanentError: fail now, no retries (becomes BullMQ's UnrecoverableError);
 * - RateLimitedError: park the job until `resetAt` without spending an attempt.
 */
export class TransientError extends Error {
  override name = 'TransientError';
}

export class PermanentError extends Error {
  override name = 'PermanentError';
}

export class RateLimitedError extends Error {
  override name = 'RateLimitedError';
  constructor(
    message: string,
    readonly resetAt: Date,
  ) {
    super(message);
  }
}

/** A payload rejected by its job's schema, at enqueue time or in the worker. */
export class PayloadError extends Error {
  override name = 'PayloadError';
  constructor(
    readonly jobName: string,
    readonly problems: string[],
  ) {
    super(`Invalid payload for job "${jobName}": ${problems.join('; ')}`);
  }
}
