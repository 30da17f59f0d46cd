/** The investment categories, in the order that decides a pull request linked to issues of several. */
export const INVESTMENT_CATEGORIES = ['bug', 'feature', 'tech debt', 'operations', 'other'] as const;
export type InvestmentCategory = (typeof INVESTMENT_CATEGORIES)[number];

/**
 * The default mapping of an issue's terms (its type and labels as issue_terms() gives them: lower
 * case, a `type:`/`kind/` prefix dropped) to a category; an organization's issue_category_mappings
 * override and extend it.
 */
export const DEFAULT_CATEGORY_MAPPING: Readonly<Record<string, InvestmentCategory>> = {
  bug: 'bug',
  bugs: 'bug',
  defect: 'bug',
  regression: 'bug',
  incident: 'bug',
  hotfix: 'bug',
  feature: 'feature',
  enhancement: 'feature',
  story: 'feature',
  epic: 'feature',
  'new feature': 'feature',
  improvement: 'feature',
  'tech debt': 'tech debt',
  'tech-debt': 'tech debt',
  techdebt: 'tech debt',
  debt: 'tech debt',
  refactor: 'tech debt',
  refactoring: 'tech debt',
  chore: 'tech debt',
  operations: 'operations',
  ops: 'operations',
  infrastructure: 'operations',
  infra: 'operations',
  devops: 'operations',
  ci: 'operations',
  security: 'operations',
  maintenance: 'operations',
};

/** The term that makes an issue an incident when its organization has set none (type Incident, label incident). */
export const DEFAULT_INCIDENT_MATCH = 'incident';

/** A type or label as issue_terms() (migration IssueIncidents) compares it: trimmed, lower case, a `type:`/`kind/` prefix dropped. */
export const issueTerm = (text: string) =>
  text
    .trim()
    .toLowerCase()
    .replace(/^(type|kind) *[:/] */, '');
