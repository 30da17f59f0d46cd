import type { AppConfig } from '../config/index.js';
import type { Producer } from '../queues/producer.js';
import { QUEUE_NAMES } from '../queues/names.js';
import type { AnyJobContract, JobSchedule } from './contract.js';
import { CONTRACTS } from './index.js';

export interface SchedulerInfo {
  id: string;
  queue: string;
  job: string;
  every?: number | null;
  pattern?: string | null;
  next?: number | null;
}

/** Every schedule of the catalogue, with its contract. */
export function catalogueSchedules(contracts: readonly AnyJobContract[] = CONTRACTS): { contract: AnyJobContract; schedule: JobSchedule }[] {
  return contracts.flatMap((contract) => (contract.schedules ?? []).map((schedule: JobSchedule) => ({ contract, schedule })));
}

/**
 * The schedules of the catalogue's contracts, as BullMQ job schedulers. Upserting is idempotent, so every
 * worker process may call this at start: there is still one scheduler per id, and a changed period
 * replaces the old one. Schedulers an older version created under a job's former name are removed
 * (their id was the name), so a renamed job does not run twice.
 */
export async function ensureSchedulers(producer: Producer, config: AppConfig): Promise<SchedulerInfo[]> {
  for (const { contract, schedule } of catalogueSchedules()) {
    const every = typeof schedule.every === 'function' ? schedule.every(config) : schedule.every;
    const repeat = schedule.pattern ? { pattern: schedule.pattern, tz: 'UTC' } : { every: every! };
    await producer.upsertScheduler(schedule.id, repeat, contract, (schedule.data ?? {}) as Record<string, unknown>);
    for (const former of contract.formerNames ?? []) await producer.queue(contract.queue).removeJobScheduler(former);
  }
  return listSchedulers(producer);
}

export async function listSchedulers(producer: Producer): Promise<SchedulerInfo[]> {
  const out: SchedulerInfo[] = [];
  for (const name of QUEUE_NAMES) {
    const q = producer.queue(name);
    await q.waitUntilReady();
    for (const s of await q.getJobSchedulers(0, -1, true)) {
      out.push({ id: s.key, queue: name, job: s.name, every: s.every ? Number(s.every) : null, pattern: s.pattern ?? null, next: s.next ?? null });
    }
  }
  return out;
}
