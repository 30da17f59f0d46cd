import type { z } from 'zod';
import { PayloadError } from './errors.js';

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

/** Validate `data` against a job's schema; returns the parsed value or throws a PayloadError. */
export function parsePayload<S extends z.ZodType>(jobName: string, schema: S, data: unknown): z.infer<S> {
  const secrets = findSecretKeys(data);
  if (secrets.length > 0) {
    throw new PayloadError(jobName, secrets.map((p) => `${p}: secrets must not be put in job data`));
  }
  const result = schema.safeParse(data);
  if (!result.success) {
    throw new PayloadError(
      jobName,
      result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`),
    );
  }
  return result.data;
}
