/**
 * The GitHub stand-in on a thread of its own, for the scale bench (g): GitHub answers on its own
 * machines, so its work (computing pages with git, writing their JSON) must not share the sync's
 * event loop. The bench drives it with messages: set up users and a repository, set the budgets,
 * reset and count the requests.
 */
import { parentPort } from 'node:worker_threads';
import { GitHubStandIn, type StandInPull, type StandInUser } from '../src/dev/github-stand-in.js';
import { loadSchema } from '../src/dev/github-graphql.js';

export type ThreadMessage =
  | { id: number; op: 'setup'; users: StandInUser[]; repo: string; pulls: StandInPull[]; git: string }
  | { id: number; op: 'budget'; limit: number; reset: number }
  | { id: number; op: 'reset' }
  | { id: number; op: 'counted' }
  | { id: number; op: 'stop' };

const gh = await new GitHubStandIn().start();
// GitHub has its GraphQL schema loaded before anyone asks: the stand-in's (seconds of parsing) is read now, not in a timed query.
await loadSchema();
parentPort!.postMessage({ ready: true, url: gh.url, token: gh.token });
parentPort!.on('message', async (m: ThreadMessage) => {
  let value: unknown = null;
  if (m.op === 'setup') {
    for (const u of m.users) {
      gh.users.set(u.login, u);
      if (u.email) gh.emails.set(u.email, u);
    }
    gh.repos.set(m.repo, { commits: [], pulls: m.pulls, git: m.git });
  } else if (m.op === 'budget') {
    gh.rate = { limit: m.limit, remaining: m.limit, reset: m.reset, window: 3600 };
    gh.graphqlRate = { limit: m.limit, remaining: m.limit, reset: m.reset, window: 3600 };
  } else if (m.op === 'reset') gh.reset();
  else if (m.op === 'counted') value = gh.counted().length;
  else if (m.op === 'stop') await gh.stop();
  parentPort!.postMessage({ id: m.id, value });
});
