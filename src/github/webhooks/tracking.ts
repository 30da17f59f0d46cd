import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { PermanentError } from '../../errors/index.js';
import type { Producer } from '../../queues/producer.js';
import { organizationOfGitHubAccount, startTracking, untrackRepository } from '../sync/tracked.js';
import { forgetInstallation, storeInstallation } from '../sql/installations.js';

/**
 * Webhook-driven tracking. GitHub tells a linked account's repositories coming and going:
 * - `installation` created / unsuspend (the App's repositories) → tracked; deleted / suspend → no longer;
 * - `installation_repositories` added → tracked; removed → no longer;
 * - `repository` created / unarchived → tracked; deleted / archived → no longer.
 * The account (`installation.account.login`, or the repository's owner) says which organization, through
 * github_organization_links; an account linked to none changes nothing. An `installation` event also
 * records (or forgets) the App's installation on the account, which the sync would otherwise look up.
 */
export const TRACKING_EVENTS = ['installation', 'installation_repositories', 'repository'] as const;

const repo = z.looseObject({ full_name: z.string() });
const account = z.looseObject({ login: z.string() });
const payloads = {
  installation: z.looseObject({
    action: z.string(),
    installation: z.looseObject({ id: z.number().int(), app_id: z.number().int().optional(), account }),
    repositories: z.array(repo).optional(),
  }),
  installation_repositories: z.looseObject({
    action: z.string(),
    installation: z.looseObject({ app_id: z.number().int().optional(), account }),
    repositories_added: z.array(repo).default([]),
    repositories_removed: z.array(repo).default([]),
  }),
  repository: z.looseObject({ action: z.string(), repository: z.looseObject({ full_name: z.string(), owner: account }) }),
};

export interface TrackingChange {
  account: string;
  add: string[];
  remove: string[];
  /** An App installation that came (with its App) or went. */
  installation?: { id: number; appId: number | null; gone: boolean };
  /** The GitHub App an installation event is of (null: the payload does not say; absent: not an installation event). */
  app?: number | null;
}

/** What an event asks for; throws (a ZodError) when the payload is not that event's shape. */
export function trackingChange(event: (typeof TRACKING_EVENTS)[number], body: unknown): TrackingChange {
  const names = (list: { full_name: string }[] | undefined) => (list ?? []).map((r) => r.full_name);
  if (event === 'installation') {
    const p = payloads.installation.parse(body);
    const listed = names(p.repositories);
    const on = ['created', 'unsuspend', 'new_permissions_accepted'].includes(p.action);
    const off = ['deleted', 'suspend'].includes(p.action);
    return {
      account: p.installation.account.login,
      app: p.installation.app_id ?? null,
      add: on ? listed : [],
      remove: off ? listed : [],
      ...(on || p.action === 'deleted' ? { installation: { id: p.installation.id, appId: p.installation.app_id ?? null, gone: p.action === 'deleted' } } : {}),
    };
  }
  if (event === 'installation_repositories') {
    const p = payloads.installation_repositories.parse(body);
    return {
      account: p.installation.account.login,
      app: p.installation.app_id ?? null,
      add: names(p.repositories_added),
      remove: names(p.repositories_removed),
    };
  }
  const p = payloads.repository.parse(body);
  const name = [p.repository.full_name];
  return {
    account: p.repository.owner.login,
    add: ['created', 'unarchived'].includes(p.action) ? name : [],
    remove: ['deleted', 'archived'].includes(p.action) ? name : [],
  };
}

export interface TrackingResult {
  organizationId: string | null;
  tracked: { repository: string; jobId: string | undefined }[];
  untracked: string[];
  refused: { repository: string; reason: string }[];
}

/** Apply a change for the account's organization; a repository of another organization is refused, the rest go on. */
export async function applyTracking(em: EntityManager, producer: Producer, change: TrackingChange): Promise<TrackingResult> {
  const result: TrackingResult = { organizationId: null, tracked: [], untracked: [], refused: [] };
  const i = change.installation;
  if (i?.gone) await forgetInstallation(em, i.id, i.appId);
  else if (i?.appId) await storeInstallation(em, String(i.appId), change.account, i.id);
  const organizationId = await organizationOfGitHubAccount(em, change.account);
  if (!organizationId) return result;
  result.organizationId = organizationId;
  for (const repository of change.add) {
    try {
      result.tracked.push(await startTracking(em, producer, { repository, organizationId }));
    } catch (err) {
      // Tracked by another organization: refused, the others go on. Anything else (Redis, PostgreSQL away) is the caller's.
      if (!(err instanceof PermanentError)) throw err;
      result.refused.push({ repository, reason: err.message });
    }
  }
  for (const repository of change.remove) if (await untrackRepository(em, repository, organizationId)) result.untracked.push(repository);
  return result;
}
