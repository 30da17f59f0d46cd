// The GitHub stand-in's GraphQL endpoint (not used in production paths).
import {
  buildSchema,
  execute,
  getNamedType,
  GraphQLError,
  isObjectType,
  isInterfaceType,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { StandInDeployment, StandInIssue, StandInPull, StandInPullEvent, StandInRepo, StandInReview, StandInUser } from './github-fixture-types.js';

/**
 * Queries are parsed, validated and executed by graphql-js against GitHub's published schema
 * (@octokit/graphql-schema), so a query that runs here is valid on GitHub. GitHub's own rules on top
 * of the schema are applied as GitHub documents them (docs.github.com/graphql/overview/rate-limits-
 * and-query-limits-for-the-graphql-api): every connection asked for nodes or edges needs `first` or
 * `last` within 1-100, at most 500,000 nodes, and a query costs its connection requests / 100
 * points (at least 1).
 */

let schema: GraphQLSchema | undefined;
function githubSchema(): GraphQLSchema {
  if (!schema) throw new Error('loadSchema() first');
  return schema;
}

/** GitHub's published schema, read once (the package exposes it only to ES imports). */
export async function loadSchema(): Promise<void> {
  schema ??= buildSchema((await import('@octokit/graphql-schema')).schema.idl, { assumeValidSDL: true });
}

export interface GraphQLAnswer {
  data?: unknown;
  errors?: { type?: string; message: string; path?: readonly (string | number)[]; locations?: unknown }[];
}

export interface GraphQLData {
  repos: Map<string, StandInRepo>;
  avatar: (u: StandInUser) => string;
  /** The commits of a repository, as its commit source holds them (dates for a pull request's timeline). */
  commits: (repo: StandInRepo, shas: string[]) => Promise<{ sha: string; authorDate: string; committerDate: string }[]>;
  /** Commits by oid (null: the repository has no such commit), with the accounts GitHub links their author and committer emails to. */
  commitsByOid: (repo: StandInRepo, oids: string[]) => Promise<(StandInGitCommit | null)[]>;
}

/** A commit as `Repository.object(oid:)` reads it. */
export interface StandInGitCommit {
  sha: string;
  message: string;
  author: { name: string; email: string; date: string; user: StandInUser | null };
  committer: { name: string; email: string; date: string; user: StandInUser | null };
}

/** Parse and check a query: GitHub's errors (with their `type`) for a bad one, else its cost in points. */
export function checkQuery(query: string, variables: Record<string, unknown> = {}): { document: DocumentNode; cost: number; nodes: number } | GraphQLAnswer {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (err) {
    return { errors: [{ message: (err as GraphQLError).message }] };
  }
  const invalid = validate(githubSchema(), document);
  if (invalid.length) return { errors: invalid.map((e) => ({ message: e.message, locations: e.locations })) };
  try {
    const { requests, nodes } = measure(document, variables);
    if (nodes > 500_000)
      return {
        errors: [{ type: 'MAX_NODE_LIMIT_EXCEEDED', message: `This query requests up to ${nodes} possible nodes which exceeds the maximum limit of 500,000.` }],
      };
    return { document, cost: Math.max(1, Math.round(requests / 100)), nodes };
  } catch (err) {
    return { errors: [{ type: (err as GraphQLError & { type?: string }).type, message: (err as Error).message }] };
  }
}

export async function runQuery(
  document: DocumentNode,
  variables: Record<string, unknown>,
  data: GraphQLData,
  rateLimit: Record<string, unknown>,
): Promise<GraphQLAnswer> {
  const result = await execute({ schema: githubSchema(), document, variableValues: variables, rootValue: root(data, rateLimit) });
  return {
    ...(result.data !== undefined ? { data: result.data } : {}),
    ...(result.errors?.length
      ? {
          errors: result.errors.map((e) => ({
            type: (e.originalError as { type?: string } | undefined)?.type,
            message: e.message,
            path: e.path,
            locations: e.locations,
          })),
        }
      : {}),
  };
}

/** A fixture event's timeline item type and GraphQL type. */
const TIMELINE_TYPES: Record<StandInPullEvent['type'], [string, string]> = {
  ready_for_review: ['READY_FOR_REVIEW_EVENT', 'ReadyForReviewEvent'],
  convert_to_draft: ['CONVERT_TO_DRAFT_EVENT', 'ConvertToDraftEvent'],
  reopened: ['REOPENED_EVENT', 'ReopenedEvent'],
  comment: ['ISSUE_COMMENT', 'IssueComment'],
};

function githubError(type: string, message: string): GraphQLError {
  return Object.assign(new GraphQLError(message), { type });
}

/** Connection requests (GitHub's cost) and nodes (its node limit) of a query, checking pagination boundaries. */
function measure(document: DocumentNode, values: Record<string, unknown>): { requests: number; nodes: number } {
  const s = githubSchema();
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let requests = 0;
  let nodes = 0;
  const walk = (set: SelectionSetNode | undefined, type: GraphQLNamedType, multiplier: number) => {
    if (!set) return;
    for (const sel of set.selections) {
      if (sel.kind === Kind.INLINE_FRAGMENT) walk(sel.selectionSet, sel.typeCondition ? s.getType(sel.typeCondition.name.value)! : type, multiplier);
      else if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const f = fragments.get(sel.name.value)!;
        walk(f.selectionSet, s.getType(f.typeCondition.name.value)!, multiplier);
      } else if (isObjectType(type) || isInterfaceType(type)) {
        const field = type.getFields()[sel.name.value];
        if (!field) continue;
        const fieldType = getNamedType(field.type);
        const limitArg = sel.arguments?.find((a) => a.name.value === 'first' || a.name.value === 'last');
        const limit = limitArg
          ? limitArg.value.kind === Kind.INT
            ? Number(limitArg.value.value)
            : limitArg.value.kind === Kind.VARIABLE
              ? Number(values[limitArg.value.name.value] ?? 100)
              : 100
          : null;
        const isConnection = fieldType.name.endsWith('Connection');
        const wantsItems = sel.selectionSet?.selections.some((x) => x.kind === Kind.FIELD && (x.name.value === 'nodes' || x.name.value === 'edges'));
        if (isConnection && wantsItems) {
          if (limit === null)
            throw githubError(
              'MISSING_PAGINATION_BOUNDARIES',
              `You must provide a \`first\` or \`last\` value to properly paginate the \`${sel.name.value}\` connection.`,
            );
          if (limit < 1 || limit > 100)
            throw githubError(
              'EXCESSIVE_PAGINATION',
              `Requesting ${limit} records on the \`${sel.name.value}\` connection exceeds the \`first\` limit of 100 records.`,
            );
          requests += multiplier;
          nodes += multiplier * limit;
          walk(sel.selectionSet, fieldType, multiplier * limit);
        } else walk(sel.selectionSet, fieldType, multiplier);
      }
    }
  };
  for (const d of document.definitions) {
    if (d.kind === Kind.OPERATION_DEFINITION) walk(d.selectionSet, (d.operation === 'query' ? s.getQueryType() : s.getMutationType())!, 1);
  }
  return { requests, nodes };
}

interface Page {
  first?: number;
  last?: number;
  after?: string;
}

/** A connection over a list, with opaque cursors as GitHub's (base64 of a position). */
function connection<T>(items: T[], args: Page) {
  const cursor = (i: number) => Buffer.from(`cursor:v2:${i}`).toString('base64');
  const start = args.after ? Number(Buffer.from(args.after, 'base64').toString().split(':')[2]) + 1 : 0;
  const count = args.first ?? args.last ?? items.length;
  const slice = items.slice(start, start + count);
  return {
    totalCount: items.length,
    nodes: slice,
    edges: slice.map((node, i) => ({ node, cursor: cursor(start + i) })),
    pageInfo: {
      hasNextPage: start + slice.length < items.length,
      hasPreviousPage: start > 0,
      startCursor: slice.length ? cursor(start) : null,
      endCursor: slice.length ? cursor(start + slice.length - 1) : null,
    },
  };
}

function root(data: GraphQLData, rateLimit: Record<string, unknown>) {
  // GraphQL shows a bot's login without the "[bot]" REST appends (gh shows app/dependabot).
  const actor = (u: StandInUser | null) =>
    u && {
      __typename: u.type === 'Bot' ? 'Bot' : 'User',
      login: u.type === 'Bot' ? u.login.replace(/\[bot\]$/, '') : u.login,
      databaseId: u.id,
      avatarUrl: data.avatar(u),
    };
  const pulls = new Map<string, StandInPull>();
  const review = (r: StandInReview, comments: number) => ({
    __typename: 'PullRequestReview',
    id: `PRR_${r.id}`,
    fullDatabaseId: String(r.id),
    databaseId: r.id,
    author: actor(r.user),
    state: r.state,
    body: r.body,
    submittedAt: r.state === 'PENDING' ? null : r.submitted_at,
    comments: () => ({ totalCount: comments }),
  });
  // A pull request's timeline: its commits (at their committer date, when GitHub shows a push) and
  // events, oldest first, filtered by `itemTypes` as GitHub does.
  const timeline = async (repo: StandInRepo, p: StandInPull, args: Page & { itemTypes?: string[] }) => {
    const commits = await data.commits(repo, p.commit_shas ?? []);
    const items: { at: string; type: string; node: Record<string, unknown> }[] = [
      ...commits.map((c) => ({
        at: c.committerDate,
        type: 'PULL_REQUEST_COMMIT',
        node: { __typename: 'PullRequestCommit', commit: { oid: c.sha, authoredDate: c.authorDate, committedDate: c.committerDate } },
      })),
      ...(p.timeline ?? []).map((e) => {
        const [type, typename] = TIMELINE_TYPES[e.type];
        const node =
          e.type === 'comment'
            ? { __typename: typename, createdAt: e.created_at, author: actor(e.actor) }
            : { __typename: typename, createdAt: e.created_at, actor: actor(e.actor) };
        return { at: e.created_at, type, node };
      }),
      ...p.reviews
        .filter((r) => r.state !== 'PENDING')
        .map((r) => ({
          at: r.submitted_at,
          type: 'PULL_REQUEST_REVIEW',
          node: { __typename: 'PullRequestReview', submittedAt: r.submitted_at, author: actor(r.user) },
        })),
    ];
    const wanted = args.itemTypes?.length ? new Set(args.itemTypes) : null;
    const kept = items.filter((i) => !wanted || wanted.has(i.type)).sort((a, b) => a.at.localeCompare(b.at));
    return connection(
      kept.map((i) => i.node),
      args,
    );
  };
  const pull = (p: StandInPull, repo: StandInRepo) => {
    pulls.set(`PR_${p.id}`, p);
    const counts = reviewComments(p);
    return {
      __typename: 'PullRequest',
      id: `PR_${p.id}`,
      fullDatabaseId: String(p.id),
      databaseId: p.id,
      number: p.number,
      title: p.title,
      // REST's null description is GraphQL's empty string.
      body: p.body ?? '',
      state: p.merged_at ? 'MERGED' : p.state.toUpperCase(),
      createdAt: p.created_at,
      updatedAt: p.updated_at,
      mergedAt: p.merged_at,
      closedAt: p.closed_at,
      additions: p.additions,
      deletions: p.deletions,
      changedFiles: p.changed_files,
      isDraft: p.draft ?? false,
      headRefName: p.head_ref ?? `pr-${p.number}`,
      mergeCommit: p.merge_commit_sha ? { oid: p.merge_commit_sha } : null,
      mergedBy: p.merged_at ? actor(p.merged_by ?? null) : null,
      timelineItems: (args: Page & { itemTypes?: string[] }) => timeline(repo, p, args),
      author: actor(p.user),
      commits: () => ({ totalCount: p.commits }),
      comments: () => ({ totalCount: p.comments }),
      labels: (args: Page) =>
        connection(
          p.labels.map((name) => ({ name })),
          args,
        ),
      reviewRequests: (args: Page) =>
        connection(
          p.requested_reviewers.map((u) => ({ requestedReviewer: actor(u) })),
          args,
        ),
      reviews: (args: Page) =>
        connection(
          p.reviews.map((r, i) => review(r, counts[i]!)),
          args,
        ),
      closingIssuesReferences: (args: Page) =>
        connection(
          (p.linked_issues ?? []).map((i) => ({ __typename: 'Issue', number: i.number, repository: { nameWithOwner: i.repository } })),
          args,
        ),
    };
  };
  // A GitActor's account. GitHub's GitActor.user is a User: a commit of a bot's noreply address has none here (REST shows the bot).
  const gitActor = (a: StandInGitCommit['author']) => ({
    name: a.name,
    email: a.email,
    date: a.date,
    user: a.user && a.user.type !== 'Bot' ? actor(a.user) : null,
  });
  // `object(oid:)` lookups of one query (aliases) answered together: one read of the commits, not one each.
  const pendingOids = new Map<StandInRepo, { oids: string[]; answer: Promise<Map<string, StandInGitCommit | null>> }>();
  const commitObject = async (repo: StandInRepo, oid: string) => {
    let batch = pendingOids.get(repo);
    if (!batch) {
      const oids: string[] = [];
      const answer = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
        pendingOids.delete(repo);
        const found = await data.commitsByOid(repo, oids);
        return new Map(oids.map((o, i) => [o, found[i]!]));
      });
      batch = { oids, answer };
      pendingOids.set(repo, batch);
    }
    batch.oids.push(oid);
    const c = (await batch.answer).get(oid);
    return (
      c && {
        __typename: 'Commit',
        id: `C_${c.sha}`,
        oid: c.sha,
        message: c.message,
        authoredDate: c.author.date,
        committedDate: c.committer.date,
        author: gitActor(c.author),
        committer: gitActor(c.committer),
      }
    );
  };
  // A deployment's statuses newest first, as REST lists them.
  const deployment = (d: StandInDeployment) => ({
    __typename: 'Deployment',
    id: `DE_${d.id}`,
    databaseId: d.id,
    environment: d.environment,
    commitOid: d.sha,
    createdAt: d.created_at,
    statuses: (args: Page) =>
      connection(
        [...d.statuses]
          .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id)
          .map((st) => ({ __typename: 'DeploymentStatus', id: `DES_${st.id}`, state: st.state.toUpperCase(), createdAt: st.created_at })),
        args,
      ),
  });
  // An issue's closed and reopened events, oldest first, filtered by `itemTypes`.
  const issue = (i: StandInIssue) => ({
    __typename: 'Issue',
    id: `I_${i.id}`,
    databaseId: i.id,
    number: i.number,
    timelineItems: (args: Page & { itemTypes?: string[] }) =>
      connection(
        (i.events ?? [])
          .map((e) => ({
            type: e.type === 'closed' ? 'CLOSED_EVENT' : 'REOPENED_EVENT',
            node: { __typename: e.type === 'closed' ? 'ClosedEvent' : 'ReopenedEvent', createdAt: e.created_at },
          }))
          .filter((e) => !args.itemTypes?.length || args.itemTypes.includes(e.type))
          .map((e) => e.node),
        args,
      ),
  });
  return {
    rateLimit: () => rateLimit,
    repository: ({ owner, name }: { owner: string; name: string }) => {
      const repo = data.repos.get(`${owner}/${name}`);
      if (!repo) throw githubError('NOT_FOUND', `Could not resolve to a Repository with the name '${owner}/${name}'.`);
      return {
        __typename: 'Repository',
        nameWithOwner: `${owner}/${name}`,
        // Commits only (a tree, blob or tag oid is answered as none); an unknown oid is null without an error, as on GitHub.
        object: ({ oid }: { oid?: string }) => (oid && /^[0-9a-f]{40}$/.test(oid) ? commitObject(repo, oid) : null),
        pullRequests: (args: Page & { orderBy?: { field: string; direction: string } }) => {
          const sorted = [...repo.pulls];
          const key = args.orderBy?.field === 'UPDATED_AT' ? 'updated_at' : 'created_at';
          sorted.sort((a, b) => a[key].localeCompare(b[key]));
          if (args.orderBy?.direction !== 'ASC') sorted.reverse();
          return connection(
            sorted.map((p) => pull(p, repo)),
            args,
          );
        },
        pullRequest: ({ number }: { number: number }) => {
          const p = repo.pulls.find((x) => x.number === number);
          if (!p) throw githubError('NOT_FOUND', `Could not resolve to a PullRequest with the number of ${number}.`);
          return pull(p, repo);
        },
      };
    },
    // Deployments by the node ids REST gives them; an id that resolves to nothing is null with a NOT_FOUND error, as on GitHub.
    nodes: ({ ids }: { ids: string[] }) =>
      ids.map((id) => {
        for (const repo of data.repos.values()) {
          const d = (repo.deployments ?? []).find((x) => `DE_${x.id}` === id);
          if (d) return deployment(d);
          const i = (repo.issues ?? []).find((x) => `I_${x.id}` === id);
          if (i) return issue(i);
        }
        return githubError('NOT_FOUND', `Could not resolve to a node with the global id of '${id}'`);
      }),
    node: ({ id }: { id: string }) => {
      for (const repo of data.repos.values()) {
        const p = repo.pulls.find((x) => `PR_${x.id}` === id);
        if (p) return pull(p, repo);
      }
      throw githubError('NOT_FOUND', `Could not resolve to a node with the global id of '${id}'`);
    },
  };
}

/**
 * Each review's comment count. Every review comment belongs to one submitted review (a reply is a
 * review of its own), so the counts add up to REST's `review_comments`: explicit counts when the
 * fixture gives them, else all on the first submitted review. A fixture with review comments and
 * no submitted review could not exist on GitHub: it is refused rather than answered wrongly.
 */
function reviewComments(p: StandInPull): number[] {
  if (p.reviews.some((r) => r.comments !== undefined)) return p.reviews.map((r) => r.comments ?? 0);
  const first = p.reviews.findIndex((r) => r.state !== 'PENDING');
  if (first < 0 && p.review_comments > 0) throw new Error(`fixture: PR #${p.number} has ${p.review_comments} review comments and no submitted review`);
  return p.reviews.map((_, i) => (i === first ? p.review_comments : 0));
}
