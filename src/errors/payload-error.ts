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
