/**
 * The worker's handlers, found from the catalogue: each contract names its handler module by a lazy
 * import, and this is the one place that follows those imports. Producers import contracts
 * (src/jobs) and load none of this; only the worker runtime, the demo and tests do.
 */
import { CONTRACTS } from '../jobs/index.js';
import type { AnyJobContract } from '../jobs/contract.js';
import type { AnyJobHandler } from '../jobs/handler.js';

function isHandler(value: unknown): value is AnyJobHandler {
  return (
    typeof value === 'object' && value !== null && typeof (value as AnyJobHandler).process === 'function' && typeof (value as AnyJobHandler).name === 'string'
  );
}

/**
 * The handler of one contract: its module must export exactly one handler, bound to that contract
 * (same name, same queue). Anything else is a wiring mistake, refused at start rather than at the
 * first job.
 */
export async function loadHandler(contract: AnyJobContract): Promise<AnyJobHandler> {
  if (!contract.handler) throw new Error(`Job "${contract.name}" names no handler module`);
  const exported = Object.values((await contract.handler()) as Record<string, unknown>).filter(isHandler);
  const handler = exported[0];
  if (exported.length !== 1 || !handler) {
    throw new Error(
      `The handler module of "${contract.name}" exports ${exported.length} handlers (${exported.map((h) => h.name).join(', ')}); it must export exactly one`,
    );
  }
  if (handler.name !== contract.name || handler.queue !== contract.queue) {
    throw new Error(`The handler module of "${contract.name}" exports the handler of "${handler.name}" (queue ${handler.queue})`);
  }
  return handler;
}

export async function loadHandlers(contracts: readonly AnyJobContract[] = CONTRACTS): Promise<AnyJobHandler[]> {
  return Promise.all(contracts.map(loadHandler));
}

/** Every job the workers run, in the catalogue's order. */
export const JOBS: readonly AnyJobHandler[] = await loadHandlers();
