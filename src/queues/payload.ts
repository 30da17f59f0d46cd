import type { z } from 'zod';
import { PayloadError } from '../errors/index.js';
import { issueLines } from '../lib/zod-issues.js';

/**
 * Payload keys that look like credentials. Job data is stored in Redis and shown in Bull Board,
 * so secrets must be looked up by the worker from their encrypted home, never carried here.
 */
const SECRET_KEY = /(token|secret|password|passwd|api[_-]?key|authorization|credential|private[_-]?key)/i;

function findSecretKeys(value: unknown, path: string[] = [], out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v, i) => findSecretKeys(v, [...path, String(i)], out));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (SECRET_KEY.test(key)) out.push([...path, key].join('.'));
      findSecretKeys(v, [...path, key], out);
    }
  }
  return out;
}

/**
 * Job data lives in Redis memory, is copied on every retry and rendered by Bull Board: it should
 * hold ids and small options, never the data itself. 64 KiB is far above any real payload here.
 */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

function payloadSize(data: unknown): number | string {
  try {
    return Buffer.byteLength(JSON.stringify(data) ?? '');
  } catch (err) {
    return `is not JSON-serialisable (${(err as Error).message})`;
  }
}

/** Validate `data` against a job's schema; returns the parsed value or throws a PayloadError. */
export function parsePayload<S extends z.ZodType>(jobName: string, schema: S, data: unknown): z.infer<S> {
  const size = payloadSize(data);
  if (typeof size === 'string') throw new PayloadError(jobName, [`(root): the payload ${size}`]);
  if (size > MAX_PAYLOAD_BYTES) {
    throw new PayloadError(jobName, [
      `(root): the payload is ${size} bytes of JSON, over the ${MAX_PAYLOAD_BYTES}-byte limit; pass ids and let the worker load the data`,
    ]);
  }
  const secrets = findSecretKeys(data);
  if (secrets.length > 0) {
    throw new PayloadError(
      jobName,
      secrets.map((p) => `${p}: secrets must not be put in job data`),
    );
  }
  const result = schema.safeParse(data);
  if (!result.success) {
    throw new PayloadError(jobName, issueLines(result.error));
  }
  return result.data;
}
