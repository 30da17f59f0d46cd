/**
 * Settle with `promise`, or reject with `error()` after `ms`. The late outcome is ignored (a late
 * rejection is caught, so it is never reported as unhandled).
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, error: () => Error = () => new Error(`no answer in ${ms} ms`)): Promise<T> {
  let timer: NodeJS.Timeout;
  promise.catch(() => {});
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(error()), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
