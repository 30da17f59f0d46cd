import { PermanentError } from '../errors/index.js';

/** An incident for a repository no organization tracks: refused (the webhook answers 422). */
export class UntrackedRepositoryError extends PermanentError {
  override name = 'UntrackedRepositoryError';
}
