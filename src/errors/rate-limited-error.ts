/** Park the job until `resetAt` without spending an attempt: rate limits delay, never fail. */
export class RateLimitedError extends Error {
  override name = 'RateLimitedError';
  constructor(
    message: string,
    readonly resetAt: Date,
  ) {
    super(message);
  }
}
