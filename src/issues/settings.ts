import type { EntityManager } from '@mikro-orm/postgresql';
import { PermanentError } from '../errors/index.js';
import { isUuid } from '../lib/patterns.js';
import { deleteCategoryMapping, ownCategoryMappings, ownIncidentMatches, replaceIncidentMatches, writeCategoryMapping } from './queries.js';
import { DEFAULT_CATEGORY_MAPPING, DEFAULT_INCIDENT_MATCH, INVESTMENT_CATEGORIES, issueTerm, type InvestmentCategory } from './categories.js';

/** An organization id, else a clear error. */
function organization(id: string): string {
  if (!isUuid(id)) throw new PermanentError(`organization: ${JSON.stringify(id)} must be an organization UUID`);
  return id;
}

/** A term as stored: 1 to 100 characters once normalised, else a clear error naming what was given. */
function term(text: string, what: string): string {
  const t = issueTerm(text);
  if (!t || t.length > 100) throw new PermanentError(`${what}: ${JSON.stringify(text)} must be an issue type or label of 1 to 100 characters`);
  return t;
}

/** An organization's investment mapping as it applies: its own terms, then the defaults it did not override, by term. */
export async function categoryMapping(
  em: EntityManager,
  organizationId: string,
): Promise<{ match: string; category: InvestmentCategory; from: 'organization' | 'default' }[]> {
  const own = (await ownCategoryMappings(em, organization(organizationId))) as { match: string; category: InvestmentCategory }[];
  const set = new Set(own.map((o) => o.match));
  return [
    ...own.map((o) => ({ ...o, from: 'organization' as const })),
    ...Object.entries(DEFAULT_CATEGORY_MAPPING)
      .filter(([m]) => !set.has(m))
      .map(([match, category]) => ({ match, category, from: 'default' as const })),
  ].sort((a, b) => a.match.localeCompare(b.match));
}

/**
 * Map an issue type or label to a category for an organization (over the default for that term), or
 * with `null` drop its own mapping (the default, if any, applies again). Applies to every window,
 * past ones included: the numbers are computed when asked.
 */
export async function setCategory(em: EntityManager, organizationId: string, match: string, category: string | null): Promise<void> {
  organization(organizationId);
  const t = term(match, 'category mapping');
  if (category === null) {
    await deleteCategoryMapping(em, organizationId, t);
    return;
  }
  if (!(INVESTMENT_CATEGORIES as readonly string[]).includes(category))
    throw new PermanentError(`category mapping: ${JSON.stringify(category)} is no category (${INVESTMENT_CATEGORIES.join(', ')})`);
  await writeCategoryMapping(em, organizationId, t, category);
}

/** The terms that make an organization's issues incidents, and whether they are the default. */
export async function incidentMatches(em: EntityManager, organizationId: string): Promise<{ matches: string[]; isDefault: boolean }> {
  const matches = await ownIncidentMatches(em, organization(organizationId));
  return matches.length ? { matches, isDefault: false } : { matches: [DEFAULT_INCIDENT_MATCH], isDefault: true };
}

/**
 * Replace the terms (issue types or labels) that make an organization's issues incidents of the
 * delivery model; `null` or none: back to the default (`incident`). One transaction: a refused term
 * changes nothing.
 */
export async function setIncidentMatches(em: EntityManager, organizationId: string, matches: string[] | null): Promise<string[]> {
  organization(organizationId);
  const terms = [...new Set((matches ?? []).map((m) => term(m, 'incident match')))].sort();
  await replaceIncidentMatches(em, organizationId, terms);
  return terms.length ? terms : [DEFAULT_INCIDENT_MATCH];
}
