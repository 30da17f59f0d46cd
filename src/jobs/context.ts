import type { Job, Queue } from 'bullmq';
import type { QueueName } from '../queues/names.js';
import type { Producer } from '../queues/producer.js';
import type { ServiceHelpers } from './helpers.js';

/**
 * The job runtime a handler gets for one run of one job: every service helper (`ServiceHelpers`),
 * plus the BullMQ job and the pool's producer. Only handlers (`*.job.ts`) and the worker
 * (`src/workers/`) see it (a layer rule): a handler hands its service the helpers it needs, and
 * whatever it needs of the job (a key, a fire time) as plain arguments.
 */
export interface JobContext extends ServiceHelpers {
  job: Job;
  /** The worker pool's producer: its queues and connection, shared by every job (never a new one). */
  producer: Producer;
  /** A queue of this deployment, to read job states (e.g. which exports have a live job). */
  /** A queue of the registry, or a github-sync shard queue. */
  queue(name: QueueName | (string & {})): Queue;
}
