import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { secretValues } from '../src/config/secret-values.js';
import { createScrubber } from '../src/lib/scrub.js';
import { defineJob } from '../src/jobs/handler.js';
import { PermanentError } from '../src/errors/index.js';
import { Producer } from '../src/queues/producer.js';
import { startWorkerPool, type WorkerPool } from '../src/workers/runtime.js';
import { QueueEvents } from 'bullmq';
import { useTestWorld } from './hooks.js';

const GITHUB_TOKEN = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
const OPENAI_API_KEY = 'sk-live-0123456789abcdefXYZ';
const SMTP_PASSWORD = 'p4ss-w0rd-smtp';

describe('secrets never leave in error text, logs or return values', () => {
  const w = useTestWorld({ settings: { GITHUB_TOKEN, OPENAI_API_KEY, SMTP_URL: `smtp://mailer:${SMTP_PASSWORD}@mail.example:587`, LOG_LEVEL: 'info' } });
  let pool: WorkerPool;
  const lines: string[] = [];

  const leakError = defineJob({
    name: 'test.leak-error',
    queue: 'system',
    schema: z.object({}).strict(),
    options: { attempts: 1 },
    async process() {
      throw new Error(`upstream answered 401: {"echo":{"Authorization":"token ${GITHUB_TOKEN}","url":"smtp://mailer:${SMTP_PASSWORD}@mail.example"}}`);
    },
  });
  const leakPermanent = defineJob({
    name: 'test.leak-permanent',
    queue: 'system',
    schema: z.object({}).strict(),
    async process() {
      throw new PermanentError(`refused key ${OPENAI_API_KEY} and xoxb-1234567890-abcdefghij`);
    },
  });
  const leakReturn = defineJob({
    name: 'test.leak-return',
    queue: 'system',
    schema: z.object({}).strict(),
    async process() {
      return { note: `the server said Bearer ${OPENAI_API_KEY}`, ok: true };
    },
  });

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    pool = await startWorkerPool({ config: w.config, orm: w.db.orm, log: pino({ level: 'info' }, sink), jobs: [leakError, leakPermanent, leakReturn] });
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('the scrubber knows configured values, their parts, and token shapes', () => {
    const scrub = createScrubber(secretValues(w.config));
    expect(scrub(`a ${GITHUB_TOKEN} b ${OPENAI_API_KEY} c ${SMTP_PASSWORD}`)).toBe('a [redacted] b [redacted] c [redacted]');
    expect(scrub('Authorization: Bearer abcdefghijklmnop1234')).toBe('Authorization: Bearer [redacted]');
    expect(scrub("ghp_zzzzzzzzzzzzzzzzzzzzzzzzzz someone else's")).toBe("[redacted] someone else's");
    expect(scrub('nothing secret here')).toBe('nothing secret here');
    expect(scrub('Basic authentication failed for token permissions')).toBe('Basic authentication failed for token permissions');
    // A GitHub App installation token, and a private key (whole, or cut short by a log line's length).
    expect(scrub('cloned with ghs_16C7e42F292c6912E7710c838347Ae178B4a')).toBe('cloned with [redacted]');
    expect(scrub('key: -----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- end')).toBe('key: [redacted] end');
    expect(scrub('key: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN')).toBe('key: [redacted]');
  });

  it('failedReason, logs and return values are scrubbed', async () => {
    const producer = new Producer({ redisUrl: w.config.REDIS_URL, prefix: w.config.QUEUE_PREFIX });
    const events = new QueueEvents('system', { connection: { url: w.config.REDIS_URL }, prefix: w.config.QUEUE_PREFIX });
    try {
      await events.waitUntilReady();
      const jobs = await Promise.all([leakError, leakPermanent, leakReturn].map((d) => producer.enqueue(d, {})));
      const outcomes = await Promise.all(jobs.map((j) => j.waitUntilFinished(events).catch((e: Error) => e.message)));
      const stored = await Promise.all(jobs.map(async (j) => (await producer.queue('system').getJob(j.id!))!));
      const everything = JSON.stringify({
        outcomes,
        stored: stored.map((j) => ({ failedReason: j.failedReason, stacktrace: j.stacktrace, returnvalue: j.returnvalue })),
        logs: lines,
      });
      for (const secret of [GITHUB_TOKEN, OPENAI_API_KEY, SMTP_PASSWORD, 'xoxb-1234567890']) expect(everything).not.toContain(secret);
      expect(stored[0]!.failedReason).toContain('token [redacted]');
      expect(stored[1]!.failedReason).toContain('refused key [redacted]');
      expect(stored[2]!.returnvalue).toEqual({ note: 'the server said Bearer [redacted]', ok: true });
      expect(lines.some((l) => l.includes('[redacted]'))).toBe(true);
    } finally {
      await events.close();
      await producer.close();
    }
  });
});
