import type { z } from 'zod';

/**
 * Each issue as `path: message` (`(root)` for the whole value): how every zod refusal is worded.
 * `limit` keeps the first few (for messages built from untrusted payloads).
 */
export function issueLines(error: z.ZodError, limit = Infinity): string[] {
  return error.issues.slice(0, limit).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
}

/** The issues on one line, separated by "; ". */
export function formatIssues(error: z.ZodError, limit = Infinity): string {
  return issueLines(error, limit).join('; ');
}
