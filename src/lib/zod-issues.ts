import type { z } from 'zod';

/** Each issue as `path: message` (`(root)` for the whole value): how every zod refusal is worded. */
export function issueLines(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
}

/** The issues on one line, separated by "; ". */
export function formatIssues(error: z.ZodError): string {
  return issueLines(error).join('; ');
}
