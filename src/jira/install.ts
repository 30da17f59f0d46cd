import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { KeyRing } from '../crypto/secrets.js';
import { PermanentError } from '../errors/index.js';
import { formatIssues } from '../lib/zod-issues.js';
import { jiraGet } from './client.js';
import { writeJiraSite } from './queries.js';

const installSchema = z
  .object({
    organizationId: z.uuid({ message: 'must be an organization UUID' }),
    baseUrl: z
      .string()
      .url({ message: 'must be the site URL (https://<site>.atlassian.net)' })
      .refine((u) => u.startsWith('https://') || /^http:\/\/127\.0\.0\.1[:/]/.test(u), 'must be an https URL'),
    email: z.email({ message: 'must be the account’s email' }),
    token: z.string().min(8, 'must be an API token'),
    storyPointsField: z
      .string()
      .regex(/^customfield_\d+$/, 'must be a custom field id (customfield_10016)')
      .nullish(),
    jql: z.string().min(1).max(2000).nullish(),
  })
  .strict();

/**
 * Install an organization's Jira Cloud site, checked before anything is stored: the token (GET
 * /rest/api/3/myself), the story points field (it must be one of the site's fields) and the JQL (one
 * search of one issue). Each refusal names its problem; the token is stored encrypted and never
 * printed. Installing again replaces the site and reads it from the beginning.
 */
export async function installJiraSite(
  em: EntityManager,
  ring: KeyRing,
  input: { organizationId: string; baseUrl: string; email: string; token: string; storyPointsField?: string | null; jql?: string | null },
): Promise<{ baseUrl: string; account: string }> {
  const parsed = installSchema.safeParse(input);
  if (!parsed.success) throw new PermanentError(`jira site: ${formatIssues(parsed.error)}`);
  const s = parsed.data;
  const access = { baseUrl: s.baseUrl, email: s.email, token: s.token };
  const me = await jiraGet<{ emailAddress?: string; displayName?: string }>(access, 'rest/api/3/myself');
  if (s.storyPointsField) {
    const fields = await jiraGet<{ id: string }[]>(access, 'rest/api/3/field');
    if (!fields.some((f) => f.id === s.storyPointsField))
      throw new PermanentError(`jira site: storyPointsField: ${s.storyPointsField} is no field of ${s.baseUrl}`);
  }
  if (s.jql) await jiraGet(access, 'rest/api/3/search/jql', { jql: `(${s.jql}) AND updated >= "1970-01-01 00:00"`, maxResults: '1', fields: 'summary' });
  await writeJiraSite(em, {
    organizationId: s.organizationId,
    baseUrl: s.baseUrl,
    email: s.email,
    sealedToken: ring.encrypt(s.token),
    storyPointsField: s.storyPointsField ?? null,
    jql: s.jql ?? null,
  });
  return { baseUrl: s.baseUrl, account: me.displayName ?? me.emailAddress ?? s.email };
}
