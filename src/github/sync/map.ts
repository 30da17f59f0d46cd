import type { CommitFile } from '../../entities/commit.js';
import { detectLanguage, isGenerated, isVendored } from '../api/languages.js';
import type { GhCommitDetail, GhPull, GhReview, GhUser } from '../api/schemas.js';
import { storableText, storableTextOrNull } from '../../lib/text.js';
import { botReason, normaliseEmail, parseCoAuthors, type DeveloperRow } from '../../people/index.js';
import type { CommitRow, PullRow, ReviewRow } from '../sql/writers.js';
import type { PullLifecycle } from './pull-lifecycle.js';

/** GitHub JSON → table rows. Pure functions, so the mapping is tested without any I/O. */

/** A pull request in detail with all its reviews, as REST shows them (the GraphQL path converts to this). */
export interface PullWithReviews {
  detail: GhPull;
  reviews: GhReview[];
  /** Its lifecycle, from GraphQL (the REST path reads none). */
  lifecycle?: PullLifecycle;
  /** The issues linked to it by hand on GitHub (GraphQL's closingIssuesReferences, userLinkedOnly; REST has none). */
  linkedIssues?: { repository: string; number: number }[];
}

export function developerRow(u: GhUser): DeveloperRow {
  return { github_id: u.id, github_username: u.login, avatar_url: u.avatar_url ?? null, bot: botReason(u) };
}

/**
 * A commit message as stored, the same whichever path read it: the message git holds with its
 * trailing line breaks removed (git's own cleanup ends a message in exactly one; GitHub's API shows
 * none; a commit made with `--cleanup=verbatim` may have several). Nothing else is changed.
 */
export function normaliseMessage(message: string | null | undefined): string | null {
  return message == null ? null : message.replace(/(?:\r?\n)+$/, '');
}

export function commitRow(c: GhCommitDetail, files: GhCommitDetail['files'], repoFullName: string): CommitRow {
  const languages: Record<string, number> = {};
  const rows: (CommitFile & { excluded?: 'vendored' | 'generated' })[] = (files ?? []).map((f) => {
    const language = detectLanguage(f.filename);
    const excluded = isVendored(f.filename) ? 'vendored' : isGenerated(f.filename) ? 'generated' : undefined;
    if (language && !excluded) languages[language] = (languages[language] ?? 0) + f.additions + f.deletions;
    return { path: storableText(f.filename, 4096), additions: f.additions, deletions: f.deletions, language, ...(excluded ? { excluded } : {}) };
  });
  const additions = c.stats?.additions ?? rows.reduce((s, f) => s + f.additions, 0);
  const deletions = c.stats?.deletions ?? rows.reduce((s, f) => s + f.deletions, 0);
  return {
    sha: c.sha,
    author_github_id: c.author?.id ?? null,
    repository_name: repoFullName.split('/')[1]!,
    repository_full_name: repoFullName,
    message: storableTextOrNull(normaliseMessage(c.commit.message)),
    additions,
    deletions,
    files_changed: rows.length,
    files: rows,
    languages,
    // The author date: when the work was done, which is what activity numbers are about (the
    // committer date moves on every rebase or cherry-pick; it is kept in commit_graph).
    committed_at: c.commit.author?.date ?? c.commit.committer?.date ?? new Date(0).toISOString(),
    parent_shas: c.parents.map((p) => p.sha),
    author_name: storableTextOrNull(c.commit.author?.name, 255),
    author_email: normaliseEmail(c.commit.author?.email),
    committer_email: normaliseEmail(c.commit.committer?.email),
    committer_date: c.commit.committer?.date ?? null,
    coauthors: parseCoAuthors(normaliseMessage(c.commit.message)),
  };
}

export function pullState(p: GhPull): PullRow['state'] {
  return p.merged_at ? 'merged' : p.state;
}

/** A PR that can still change: open ones are re-checked on every sync. */
export function isFinal(p: { state: string }): boolean {
  return p.state !== 'open';
}

export function pullRow(p: GhPull, repoFullName: string, reviews: GhReview[]): PullRow {
  const reviewers = new Set<string>();
  for (const u of p.requested_reviewers ?? []) reviewers.add(u.login);
  // Submitted reviews only, and not the author's own replies on their PR.
  for (const r of reviews) if (r.user && r.state.toUpperCase() !== 'PENDING' && r.user.id !== p.user?.id) reviewers.add(r.user.login);
  return {
    github_id: p.id,
    number: p.number,
    author_github_id: p.user?.id ?? null,
    repository_name: repoFullName.split('/')[1]!,
    repository_full_name: repoFullName,
    title: storableTextOrNull(p.title),
    body: storableTextOrNull(p.body),
    state: pullState(p),
    additions: p.additions ?? 0,
    deletions: p.deletions ?? 0,
    changed_files: p.changed_files ?? 0,
    commits_count: p.commits ?? 0,
    comments_count: p.comments ?? 0,
    review_comments_count: p.review_comments ?? 0,
    created_at: p.created_at,
    updated_at: p.updated_at,
    merged_at: p.merged_at ?? null,
    closed_at: p.closed_at ?? null,
    labels: (p.labels ?? []).map((l) => storableText(l.name, 256)),
    reviewers: [...reviewers].sort(),
  };
}

/** Reviews still PENDING (drafts) are not submitted and not stored. */
export function reviewRow(r: GhReview, pullGithubId: number): ReviewRow | null {
  if (r.state.toUpperCase() === 'PENDING') return null;
  return {
    github_id: r.id,
    pull_github_id: pullGithubId,
    reviewer_github_id: r.user?.id ?? null,
    state: r.state.toLowerCase(),
    body: storableTextOrNull(r.body),
    submitted_at: r.submitted_at ?? null,
  };
}
