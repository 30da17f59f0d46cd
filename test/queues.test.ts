import { type Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PayloadError } from '../src/errors/index.js';
import { defineJob } from '../src/jobs/handler.js';
import { parseQueueList, QUEUE_NAMES } from '../src/queues/names.js';
import { Producer } from '../src/queues/producer.js';
import { developerRefreshActivity, systemNoop } from '../src/jobs/index.js';
import { deletePrefix, randomPrefix, REDIS_URL } from './helpers/redis.js';

describe('queue registry and producer', () => {
  const prefix = randomPrefix();
  const producer = new Producer({ redisUrl: REDIS_URL, prefix });
  afterAll(async () => {
    await producer.close();
    await deletePrefix(prefix);
  });

  async function countAll(queue: Queue) {
    const counts = await queue.getJobCounts('waiting', 'delayed', 'active', 'completed', 'failed');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  }

  it('rejects a bad payload at enqueue with a precise error and writes nothing to Redis', async () => {
    await expect(producer.enqueue(developerRefreshActivity, { developerId: 'not-a-uuid' })).rejects.toThrow(
      'Invalid payload for job "developer.refresh-activity": developerId: must be a developer UUID',
    );
    await expect(producer.enqueue(systemNoop, { note: 'x', extra: true } as never)).rejects.toBeInstanceOf(PayloadError);
    await expect(producer.enqueue(systemNoop, { sleepMs: -1 })).rejects.toThrow(/sleepMs: Too small/);
    expect(await countAll(producer.queue('profiles'))).toBe(0);
    expect(await countAll(producer.queue('system'))).toBe(0);
    const redis = new Redis(REDIS_URL);
    expect(await redis.keys(`${prefix}:profiles:*[0-9]`)).toEqual([]);
    redis.disconnect();
  });

  it('refuses secrets in job data, wherever they are nested', async () => {
    const loose = defineJob({ name: 'test.loose', queue: 'system', schema: z.record(z.string(), z.unknown()), process: async () => null });
    await expect(producer.enqueue(loose, { integration: { botToken: 'xoxb-1' } })).rejects.toThrow('integration.botToken: secrets must not be put in job data');
    await expect(producer.enqueue(loose, { OPENAI_API_KEY: 'sk' })).rejects.toThrow(/OPENAI_API_KEY: secrets/);
  });

  it('adds a valid job with the default retry and retention options', async () => {
    const job = await producer.enqueue(systemNoop, { note: 'hello' });
    expect(job.name).toBe('system.noop');
    expect(job.data).toEqual({ note: 'hello' });
    expect(job.opts.attempts).toBe(1);
    expect(job.opts.removeOnFail).toEqual({ age: 7 * 24 * 3600, count: 10_000 });
    const stored = await producer.queue('system').getJob(job.id!);
    expect(stored?.data).toEqual({ note: 'hello' });
  });

  it('deduplicates work for the same entity while it is pending', async () => {
    const id = '7a0c6a52-95f1-4c39-9f4c-6e5b9a3b2f10';
    const a = await producer.enqueue(developerRefreshActivity, { developerId: id });
    const b = await producer.enqueue(developerRefreshActivity, { developerId: id });
    expect(b.id).toBe(a.id);
    expect(await producer.queue('profiles').getWaitingCount()).toBe(1);
  });

  it('parses --queues lists and names unknown queues', () => {
    expect(parseQueueList(undefined)).toEqual([...QUEUE_NAMES]);
    expect(parseQueueList('system, slack,system')).toEqual(['system', 'slack']);
    expect(() => parseQueueList('system,nope')).toThrow('Unknown queue(s): nope. Known queues: system, github-sync');
  });

  it('rejects malformed job names at definition time', () => {
    expect(() => defineJob({ name: 'NoDot', queue: 'system', schema: z.object({}), process: async () => null })).toThrow(/area.action/);
  });
});
