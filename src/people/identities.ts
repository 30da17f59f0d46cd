import type { EntityManager } from '@mikro-orm/postgresql';
import { attributeByEmail, developersOfLogins, insertIdentities, unambiguousIdentities, unclaimedLoginNoreply } from './sql/identities.js';
import { trailerValues } from './trailers.js';

/**
 * Who wrote a commit when GitHub does not say (author null: the email is linked to no account).
 * We resolve the git author email through developer_identities, which we learn from:
 * - `github` (confidence 100): a commit GitHub did link to an account, so its email is that account's;
 * - `noreply` (100): GitHub's `<id>+<login>@users.noreply.github.com` names the account by id;
 *   the older `<login>@users.noreply.github.com` (90) names it by login;
 * - `profile` (90): the public email of a GitHub user (github.sync-developer).
 * An email claimed by two developers is ambiguous and resolves to nobody.
 */

export const IDENTITY_CONFIDENCE = { github: 100, noreply: 100, 'noreply-login': 90, profile: 90 } as const;
export type IdentitySource = keyof typeof IDENTITY_CONFIDENCE;

const NOREPLY = /^(?:(\d+)\+)?([a-z0-9](?:[a-z0-9-]{0,38}))@users\.noreply\.github\.com$/;

export function normaliseEmail(email: string | null | undefined): string | null {
  const e = email?.trim().toLowerCase();
  return e && e.includes('@') && e.length <= 320 ? e : null;
}

/** GitHub's noreply address → the account it names (id for the newer form, login only for the older). */
export function parseNoreply(email: string): { id: number | null; login: string } | null {
  const m = NOREPLY.exec(email);
  return m ? { id: m[1] ? Number(m[1]) : null, login: m[2]! } : null;
}

/**
 * The `Co-authored-by: Name <email>` trailers (GitHub's convention) of the message's trailer block,
 * found by git's rules (trailers.ts: the final paragraph, never the title), each email once, lower-cased.
 */
export function parseCoAuthors(message: string | null | undefined): { name: string; email: string }[] {
  const out = new Map<string, string>();
  for (const value of trailerValues(message ?? '', 'Co-authored-by')) {
    const m = /^(.*?)[ \t]*<([^<>\s]+)>$/.exec(value);
    const email = normaliseEmail(m?.[2]);
    if (m && email && !out.has(email)) out.set(email, m[1]!.slice(0, 255));
  }
  return [...out].map(([email, name]) => ({ email, name }));
}

export interface LearntIdentity {
  email: string;
  developer_id: string;
  source: IdentitySource;
}

/** Record identities; returns the emails that were new (their unattributed commits may now resolve). */
export async function learnIdentities(em: EntityManager, ids: LearntIdentity[]): Promise<string[]> {
  const unique = [...new Map(ids.map((i) => [`${i.email} ${i.developer_id}`, { ...i, confidence: IDENTITY_CONFIDENCE[i.source] }])).values()];
  if (unique.length === 0) return [];
  return [...new Set(await insertIdentities(em, unique))];
}

/**
 * email → developer for the emails that resolve to exactly one developer. Older noreply addresses
 * (login only) resolve through the developer of that login, and are remembered as identities.
 */
export async function resolveEmails(em: EntityManager, emails: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(emails)];
  if (unique.length === 0) return new Map();
  const byLogin = unique.flatMap((e) => {
    const n = parseNoreply(e);
    return n && n.id === null ? [{ email: e, login: n.login }] : [];
  });
  if (byLogin.length > 0) {
    const found = await developersOfLogins(em, byLogin);
    await learnIdentities(
      em,
      found.map((f) => ({ email: f.email, developer_id: f.id, source: 'noreply-login' })),
    );
  }
  return unambiguousIdentities(em, unique);
}

/**
 * Commits (and co-author credits) stored without a developer whose email has just become known are
 * attributed now. Returns the developers who gained work.
 */
export async function reattribute(em: EntityManager, emails: string[]): Promise<string[]> {
  if (emails.length === 0) return [];
  const resolved = await resolveEmails(em, emails);
  if (resolved.size === 0) return [];
  return attributeByEmail(em, resolved);
}

/**
 * Developers who have just appeared (or been renamed) claim the older noreply address of their
 * login, `<login>@users.noreply.github.com`, where earlier commits or co-author credits carry it
 * unresolved (they were written before the developer existed). Returns the emails learnt, for
 * `reattribute`.
 */
export async function learnLoginNoreply(em: EntityManager, developerIds: Iterable<string>): Promise<string[]> {
  const ids = [...new Set(developerIds)];
  if (ids.length === 0) return [];
  const found = await unclaimedLoginNoreply(em, ids);
  return learnIdentities(
    em,
    found.map((f) => ({ email: f.email, developer_id: f.id, source: 'noreply-login' })),
  );
}
