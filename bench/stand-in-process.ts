/**
 * The GitHub stand-in in a process of its own, for the scale bench (g): GitHub answers on its own
 * machines, so its work (computing pages with git, writing their JSON, serving clones) must not
 * share the sync's event loop, and the CPU it takes is counted apart from ours. The bench drives it
 * with messages: set up users and a repository, set the budgets, reset and count the requests, read
 * its CPU time.
 */
import { readFileSync } from 'node:fs';
import { GitHubStandIn, type StandInPull, type StandInUser } from '../src/dev/github-stand-in.js';
import { loadSchema } from '../src/dev/github-graphql.js';

export type StandInMessage =
  | { id: number; op: 'setup'; users: StandInUser[]; repo: string; pulls: StandInPull[]; git: string }
  | { id: number; op: 'budget'; limit: number; reset: number }
  | { id: number; op: 'reset' }
  | { id: number; op: 'counted' }
  | { id: number; op: 'cpu' }
  | { id: number; op: 'stop' };

/** CPU seconds this process and its finished children (git serving clones) have used. */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  // /proc/self/stat: fields after the command's closing parenthesis; cutime and cstime are the 14th and 15th, in clock ticks (100 a second).
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (user + system) / 1e6 + (Number(fields[13]) + Number(fields[14])) / 100;
}

const gh = await new GitHubStandIn().start();
// GitHub has its GraphQL schema loaded before anyone asks: the stand-in's (seconds of parsing) is read now, not in a timed query.
await loadSchema();
process.send!({ ready: true, url: gh.url, token: gh.token });
process.on('message', async (m: StandInMessage) => {
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
  else if (m.op === 'cpu') value = cpuSeconds();
  else if (m.op === 'stop') await gh.stop();
  process.send!({ id: m.id, value });
  if (m.op === 'stop') process.disconnect();
});
