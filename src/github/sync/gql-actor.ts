import type { GhUser } from '../api/schemas.js';

/** An account as GraphQL shows it (an Actor, or a GitActor's user): asked with `__typename login avatarUrl` and the types' `databaseId`. */
export interface GqlActor {
  __typename: string;
  login: string;
  avatarUrl: string;
  databaseId?: number | null;
}

/** A GraphQL actor as REST shows it: bots' logins carry "[bot]" there; accounts without a database id (organizations) are no one's. */
export function actorAsUser(a: GqlActor | Record<string, never> | null): GhUser | null {
  if (!a || !('login' in a) || typeof a.databaseId !== 'number') return null;
  const bot = a.__typename === 'Bot';
  return { id: a.databaseId, login: bot ? `${a.login}[bot]` : a.login, avatar_url: a.avatarUrl, type: bot ? 'Bot' : 'User' };
}
