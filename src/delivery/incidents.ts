import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { PermanentError } from '../errors/index.js';
import { trackedName } from '../github/sql/index.js';
import { storableText } from '../lib/text.js';
import { formatIssues } from '../lib/zod-issues.js';
import { latestIncidents, upsertIncident, type DeliveryIncident } from './queries.js';
import { UntrackedRepositoryError } from './untracked-repository-error.js';

const timestamp = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 timestamp with a time zone' });

/**
 * The incident webhook's body (README, "Incidents"): the incident's id in the sender's system, the
 * tracked repository it hit, when it opened and (once known) resolved, and optionally the commit or
 * the deployment (its id at the source: GitHub's deployment or workflow run id) it is about. Other
 * keys are ignored, so an adapter may pass its tool's payload through.
 */
const incidentBody = z
  .object({
    id: z.union([z.string().min(1).max(255), z.number().int().nonnegative().transform(String)]),
    repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be owner/name'),
    title: z.string().max(10_000).nullish(),
    opened_at: timestamp,
    resolved_at: timestamp.nullish(),
    sha: z
      .string()
      .regex(/^[0-9a-fA-F]{40}$/, 'must be a 40-hex commit sha')
      .transform((s) => s.toLowerCase())
      .nullish(),
    deployment_id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).nullish(),
  })
  .refine((b) => !b.resolved_at || new Date(b.resolved_at) >= new Date(b.opened_at), { message: 'must not be before opened_at', path: ['resolved_at'] });

/**
 * Record an incident reported from outside (PagerDuty, Opsgenie, incident.io… through a small
 * adapter): idempotent on its id; sent again with a resolution (or anything changed), it is updated.
 * Refused, with every problem named, when the body is not one or the repository is not tracked.
 */
export async function recordIncident(em: EntityManager, input: unknown): Promise<{ repository: string; outcome: 'created' | 'updated' | 'unchanged' }> {
  const parsed = incidentBody.safeParse(input);
  if (!parsed.success) throw new PermanentError(`incident: ${formatIssues(parsed.error, 10)}`);
  const b = parsed.data;
  const repository = await trackedName(em, b.repository);
  if (!repository) throw new UntrackedRepositoryError(`incident ${b.id}: ${b.repository} is not a tracked repository`);
  const outcome = await upsertIncident(em, {
    source: 'webhook',
    external_id: b.id,
    repository_full_name: repository,
    title: b.title ? storableText(b.title, 1_000) : null,
    opened_at: new Date(b.opened_at).toISOString(),
    resolved_at: b.resolved_at ? new Date(b.resolved_at).toISOString() : null,
    sha: b.sha ?? null,
    deployment_external_id: b.deployment_id ?? null,
  });
  return { repository, outcome };
}

/** The newest incidents of every kind, with the deployment each is attributed to (of one repository, or all). */
export async function recentIncidents(em: EntityManager, repository: string | null, limit = 20): Promise<DeliveryIncident[]> {
  return latestIncidents(em, repository, limit);
}
