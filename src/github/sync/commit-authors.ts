import type { GitHubClient } from '../api/client.js';
import { githubGraphql } from '../api/graphql.js';
import { ghCommitListItem, parseGitHub, type GhUser } from '../api/schemas.js';
import { splitRepo } from './fetch.js';
import { actorAsUser, type GqlActor } from './gql-actor.js';

/** Author emails asked per GraphQL query: aliased commit lookups, one point a query. */
export const EMAILS_PER_QUERY = 100;

/** A bot's noreply address: `<id>+<app>[bot]@users.noreply.github.com`. */
const BOT_NOREPLY = /^\d+\+[^@]+\[bot\]@users\.noreply\.github\.com$/i;

/** Who GitHub says wrote commits read from git (the account, which git does not know). */
export interface AuthorLookup {
  /** The accounts of these commits, by sha (null: GitHub links the commit to no account). */
  authors(shas: string[]): Promise<Map<string, GhUser | null>>;
  /** Ask nothing more (the run is over, or failed). */
  stop(): void;
}

const QUERY_NAME = 'CommitAuthors';

/** The query asking the author's account of `n` commits, `$c0`…: one alias each. */
export function commitAuthorsQuery(n: number): string {
  const vars = Array.from({ length: n }, (_, i) => `$c${i}: GitObjectID!`).join(', ');
  const fields = Array.from(
    { length: n },
    (_, i) => `c${i}: object(oid: $c${i}) { ... on Commit { author { user { __typename login avatarUrl databaseId } } } }`,
  ).join('\n    ');
  return `query ${QUERY_NAME}($owner: String!, $name: String!, ${vars}) {\n  repository(owner: $owner, name: $name) {\n    ${fields}\n  }\n}`;
}

/**
 * Authors by email, for commits read from git: GitHub links a commit to an account by its author
 * email (GraphQL's GitActor.user, "the GitHub user corresponding to the email field"; REST's `author`
 * is the same account), so one commit of each distinct email answers for every commit that carries
 * it. Given every commit's email (`emails`, sha → email, in the order the commits will be asked for),
 * the distinct emails are asked at once, in that order, EMAILS_PER_QUERY to a GraphQL query costing
 * one point, one query after another while git reads the commits: a first sync of a history with
 * 400 authors costs 4 queries, where the commit list costs a request per 100 commits and brings each
 * commit's whole JSON. Emails are compared exactly as git holds them. A failed query fails the
 * lookups that wait on it and every later one (none is asked after it).
 *
 * GitActor.user is a User, never a Bot: a commit of a bot's noreply address has no user there while
 * REST shows the bot as its author. So a bot's noreply address (`<id>+<app>[bot]@users.noreply.
 * github.com`) GraphQL links to no one is asked of the REST commit list at that commit (`per_page=1`):
 * REST's author, the bot or none. Any other address GraphQL links to no user is no one's on REST too
 * (its account would be a User).
 */
export function authorsByEmail(octokit: GitHubClient, repo: string, emails: Map<string, string>, signal?: AbortSignal): AuthorLookup {
  const { owner, repo: name } = splitRepo(repo);
  const known = new Map<string, GhUser | null>();
  let stopped = false;

  const restAuthor = async (sha: string): Promise<GhUser | null> => {
    const res = await octokit.request('GET /repos/{owner}/{repo}/commits', { owner, repo: name, sha, per_page: 1 });
    const [first] = res.data as unknown[];
    const item = first === undefined ? null : parseGitHub(ghCommitListItem, first, `commit list of ${repo}`);
    return item?.sha === sha ? (item.author ?? null) : null;
  };

  const ask = async (batch: { email: string; sha: string }[]): Promise<void> => {
    if (stopped) throw new Error('the author lookup was stopped');
    signal?.throwIfAborted();
    const { data } = await githubGraphql<{ repository: Record<string, { author?: { user: GqlActor | null } | null } | null> | null }>(
      octokit,
      commitAuthorsQuery(batch.length),
      { owner, name, ...Object.fromEntries(batch.map((b, i) => [`c${i}`, b.sha])) },
      { what: `the authors of ${repo}'s commits`, tolerate: ['NOT_FOUND'] },
    );
    for (const [i, b] of batch.entries()) {
      const user = actorAsUser(data.repository?.[`c${i}`]?.author?.user ?? null);
      known.set(b.email, user ?? (BOT_NOREPLY.test(b.email) ? await restAuthor(b.sha) : null));
    }
  };

  // One commit of each distinct email, in order of first appearance; a query per batch, each after the last.
  const firstOf = new Map<string, string>();
  for (const [sha, email] of emails) if (email && !firstOf.has(email)) firstOf.set(email, sha);
  const asked = [...firstOf].map(([email, sha]) => ({ email, sha }));
  const answered = new Map<string, Promise<void>>();
  let previous: Promise<void> = Promise.resolve();
  for (let k = 0; k < asked.length; k += EMAILS_PER_QUERY) {
    const batch = asked.slice(k, k + EMAILS_PER_QUERY);
    const done = previous.then(() => ask(batch));
    // Awaited by the chunks that need it; a failure nobody waits for is not left unhandled.
    done.catch(() => undefined);
    for (const b of batch) answered.set(b.email, done);
    previous = done;
  }

  return {
    async authors(shas) {
      const needed = new Set(shas.flatMap((sha) => answered.get(emails.get(sha) ?? '') ?? []));
      await Promise.all(needed);
      return new Map(shas.map((sha) => [sha, known.get(emails.get(sha) ?? '') ?? null]));
    },
    stop() {
      stopped = true;
    },
  };
}
