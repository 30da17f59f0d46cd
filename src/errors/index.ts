/**
 * The named error kinds, one class per file. A processor throws them to tell the worker runtime what
 * to do next: TransientError retries with backoff, PermanentError fails at once, RateLimitedError
 * parks the job until the limit resets, DeferredError until a planned wait ends (quiet hours).
 * PayloadError is a schema refusal.
 */
export { TransientError } from './transient-error.js';
export { PermanentError } from './permanent-error.js';
export { RateLimitedError } from './rate-limited-error.js';
export { PayloadError } from './payload-error.js';
export { DeferredError } from './deferred-error.js';
