/** Retry with the job's backoff (also what any other Error means to the worker runtime). */
export class TransientError extends Error {
  override name = 'TransientError';
}
