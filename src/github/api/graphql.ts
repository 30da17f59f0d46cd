import { PermanentError, TransientError } from '../../errors/index.js';
import { GitHubPermanentError, type GitHubClient } from './client.js';

/** One entry of a GraphQL answer's `errors` (GitHub adds a `type` such as NOT_FOUND or RATE_LIMITED). */
export interface GitHubGraphQLError {
  type?: string;
  message: string;
  path?: (string | number)[];
}

interface ResponseErrorLike {
  name: string;
  errors: GitHubGraphQLError[];
  data?: unknown;
  headers?: Record<string, string | number | undefined>;
}

const isResponseError = (e: unknown): e is ResponseErrorLike =>
  (e as ResponseErrorLike)?.name === 'GraphqlResponseError' && Array.isArray((e as ResponseErrorLike).errors);

/**
 * A query to GitHub's GraphQL API through the client: the same budget check, retries, timeout and
 * HTTP error translation as REST (the client's request hook sees POST /graphql, and records the
 * answer's x-ratelimit-* headers in the GraphQL point budget; a RATE_LIMITED answer never gets here:
 * plugin-throttling raises it inside the request, and the client's translateError parks the job until
 * the reset). What else GitHub reports inside a 200 answer becomes a job error kind here: a failure GitHub asks to
 * retry (timeouts, "something went wrong") is transient; anything else — a query GitHub refused, an
 * object it does not have — is permanent. Errors of the types in `tolerate` (NOT_FOUND for one of
 * several aliased lookups) leave their fields null and are returned beside the data instead.
 */
export async function githubGraphql<T>(
  octokit: GitHubClient,
  query: string,
  variables: Record<string, unknown>,
  opts: { what: string; tolerate?: readonly string[] },
): Promise<{ data: T; errors: GitHubGraphQLError[] }> {
  try {
    return { data: await octokit.graphql<T>(query, variables), errors: [] };
  } catch (err) {
    if (!isResponseError(err)) throw err;
    const errors = err.errors;
    const summary = errors
      .slice(0, 3)
      .map((e) => `${e.type ? `${e.type}: ` : ''}${e.message}`)
      .join('; ');
    const tolerate = opts.tolerate ?? [];
    if (err.data && errors.every((e) => e.type !== undefined && tolerate.includes(e.type))) return { data: err.data as T, errors };
    if (errors.some((e) => e.type === 'NOT_FOUND')) throw new GitHubPermanentError(`GitHub has no ${opts.what}: ${summary}`, 404);
    if (errors.some((e) => e.type === 'SERVICE_UNAVAILABLE' || /timeout|timed out|something went wrong/i.test(e.message))) {
      throw new TransientError(`GitHub GraphQL failed for ${opts.what}: ${summary}`);
    }
    throw new PermanentError(`GitHub GraphQL refused the query for ${opts.what}: ${summary}`);
  }
}

/** Nodes asked by id per request: GitHub's limit on `nodes(ids:)` is 100. */
const NODES_PER_QUERY = 100;

/**
 * Objects REST listed, read again through GraphQL by their `node_id`, 100 a request: `query` takes
 * `$ids` and selects `nodes(ids: $ids) { … on X { databaseId … } }`. Returns each object's node by
 * its REST id; one GitHub does not resolve (NOT_FOUND), or whose databaseId is not the object's, is
 * left out (the caller reads it another way).
 */
export async function graphqlNodes<N extends { databaseId: number | null }>(
  octokit: GitHubClient,
  query: string,
  items: { id: number; node_id?: string | null }[],
  opts: { what: string; signal?: AbortSignal },
): Promise<Map<number, N>> {
  const out = new Map<number, N>();
  const asked = items.filter((i) => i.node_id);
  for (let k = 0; k < asked.length; k += NODES_PER_QUERY) {
    opts.signal?.throwIfAborted();
    const chunk = asked.slice(k, k + NODES_PER_QUERY);
    const { data } = await githubGraphql<{ nodes: (N | null)[] }>(
      octokit,
      query,
      { ids: chunk.map((i) => i.node_id) },
      { what: opts.what, tolerate: ['NOT_FOUND'] },
    );
    chunk.forEach((item, n) => {
      const node = data.nodes[n];
      if (node && node.databaseId === item.id) out.set(item.id, node);
    });
  }
  return out;
}
