import type { z } from 'zod';
import { assertJobName, type AnyJobContract, type JobContract } from './contract.js';
import type { JobContext } from './context.js';

/** A contract bound to the code that runs it. Only the worker's job index collects these. */
export type JobHandler<C extends AnyJobContract = AnyJobContract, R = unknown> = C & {
  process(data: z.infer<C['schema']>, ctx: JobContext): Promise<R>;
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any payload, any result
export type AnyJobHandler = JobHandler<AnyJobContract, any>;

/**
 * Bind a handler to its contract: `defineJob(exportProcess, async (data, ctx) => …)`, the contract imported from its `.contract.ts`.
 * (Tests may also pass one object holding both, for jobs that exist only in a test.)
 */
export function defineJob<C extends AnyJobContract, R>(contract: C, process: (data: z.infer<C['schema']>, ctx: JobContext) => Promise<R>): JobHandler<C, R>;
export function defineJob<const N extends string, S extends z.ZodType, R>(
  definition: JobContract<N, S> & { process(data: z.infer<S>, ctx: JobContext): Promise<R> },
): JobHandler<JobContract<N, S>, R>;
export function defineJob(
  contract: AnyJobContract & { process?: (data: unknown, ctx: JobContext) => Promise<unknown> },
  process?: (data: unknown, ctx: JobContext) => Promise<unknown>,
): AnyJobHandler {
  const run = process ?? contract.process;
  if (!run) throw new Error(`Job "${contract.name}" has no handler`);
  assertJobName(contract.name);
  return { ...contract, process: run } as AnyJobHandler;
}
