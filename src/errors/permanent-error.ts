/** Fail now, no retries (the runtime turns it into BullMQ's UnrecoverableError). */
export class PermanentError extends Error {
  override name = 'PermanentError';
}
