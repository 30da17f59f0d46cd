import { defineJob } from '../../jobs/handler.js';
import { systemNoop } from './system-noop.contract.js';

export const systemNoopJob = defineJob(systemNoop, async (data) => {
  if (data.sleepMs) await new Promise((resolve) => setTimeout(resolve, data.sleepMs));
  return { ok: true, note: data.note ?? null };
});
