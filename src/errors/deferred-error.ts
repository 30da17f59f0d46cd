/**
 * Park the job until `until` without spending an attempt: a wait that was planned, not a failure
 * (an organization's quiet hours). The job runs again then and decides afresh.
 */
export class DeferredError extends Error {
  override name = 'DeferredError';
  constructor(
    message: string,
    readonly until: Date,
  ) {
    super(message);
  }
}
