import { beforeAll, describe, expect, it } from 'vitest';
import { OpenAIStandIn } from '../src/dev/openai-stand-in.js';
import { insightGenerate, insightRefresh } from '../src/jobs/index.js';
import { JOBS } from '../src/workers/handlers.js';
import { useTestWorld, useStandIn } from './hooks.js';
import { deletePrefix } from './helpers/redis.js';
import { startHarness } from './helpers/workers.js';

/**
 * Insights for everyone, within a daily LLM budget: the hourly refresh creates the first insights of
 * every active developer and team (nobody has to ask), and the LLM is used only while the day's
 * requests and tokens last, heuristic-v1 after that.
 */
describe('insights for every active developer and team, within the daily LLM budget', () => {
  let llm: OpenAIStandIn;
  const dev: Record<string, string> = {};
  const team: Record<string, string> = {};

  useStandIn(async () => (llm = await new OpenAIStandIn().start()));
  const w = useTestWorld({
    harness: true,
    settings: () => ({
      OPENAI_BASE_URL: llm.url,
      OPENAI_API_KEY: 'sk-standin',
      OPENAI_MODEL: 'standin-model',
      LLM_DAILY_REQUESTS: '4',
      LLM_TIMEOUT_MS: '2000',
    }),
  });

  beforeAll(async () => {
    for (const [i, login] of ['ann', 'old', 'rev', 'bot[bot]'].entries()) {
      dev[login] = await w.rows.developer({ githubId: i + 1, login });
    }
    await w.rows.insert('developer_bots', { developer_id: dev['bot[bot]'], reason: 'github-type' });
    // ann committed last week; old only 90 days ago; rev only reviewed (ann's PR) last week; the bot commits daily.
    const commit = (sha: string, who: string, daysAgo: number) =>
      w.rows.commit({ sha: sha.padEnd(40, '0'), developer_id: dev[who], repository_name: 'r', committed_at: new Date(Date.now() - daysAgo * 86_400_000) });
    await commit('a1', 'ann', 7);
    await commit('o1', 'old', 90);
    await commit('b1', 'bot[bot]', 1);
    const pr = await w.rows.pullRequest({
      github_id: 1,
      number: 1,
      developer_id: dev.ann,
      repository_name: 'r',
      created_at: new Date(Date.now() - 100 * 86_400_000),
    });
    await w.rows.codeReview({ github_id: 1, pull_request_id: pr, reviewer_id: dev.rev, submitted_at: new Date(Date.now() - 6 * 86_400_000) });
    for (const [name, members] of [
      ['Live', [dev.ann, dev.old]],
      ['Dormant', [dev.old]],
    ] as const) {
      team[name] = await w.rows.team({ name, organizationId: null, developerIds: [...members] as string[] });
    }
  });

  const rows = async () =>
    (
      await w.db.sql.query(
        `SELECT coalesce(d.github_username, t.name) AS subject, p.insight_type, p.generated_by_model
           FROM predictive_insights p LEFT JOIN developers d ON d.id = p.developer_id LEFT JOIN teams t ON t.id = p.team_id ORDER BY 1, 2`,
      )
    ).rows;

  it('the hourly refresh creates the first insights of active developers and teams, not of inactive ones or bots; the budget caps the LLM', async () => {
    expect(await rows()).toEqual([]);
    const refresh = await w.h.settle(await w.h.pool.producer.enqueue(insightRefresh, {}));
    // ann and rev: 3 developer types each; Live: 3 team types. Not old (90 days ago), not Dormant, not the bot.
    expect(refresh.returnvalue).toEqual({ queued: 9, renewals: 0, first: 9 });
    await w.h.idle(['insights']);
    const made = await rows();
    expect([...new Set(made.map((r) => r.subject))].sort()).toEqual(['Live', 'ann', 'rev']);
    expect(made).toHaveLength(9);
    // LLM_DAILY_REQUESTS=4: four insights from the model, the other five from heuristic-v1.
    expect(made.filter((r) => r.generated_by_model === 'standin-model')).toHaveLength(4);
    expect(made.filter((r) => r.generated_by_model === 'heuristic-v1')).toHaveLength(5);
    expect(llm.requests).toHaveLength(4);
    // The day's usage: what the server answered, counted by us; the five refusals too.
    const usage = (await w.db.sql.query(`SELECT requests, prompt_tokens, completion_tokens, refused FROM llm_usage`)).rows;
    expect(usage).toEqual([
      {
        requests: 4,
        prompt_tokens: String(llm.usage.reduce((s, u) => s + u.prompt_tokens, 0)),
        completion_tokens: String(llm.usage.reduce((s, u) => s + u.completion_tokens, 0)),
        refused: 5,
      },
    ]);
    const generated = (await w.h.reader('insights').getJobs(['completed'])).filter((j) => j.name === insightGenerate.name);
    const refusedJob = generated.find((j) => j.returnvalue?.model === 'heuristic-v1')!;
    expect(refusedJob.returnvalue.fallbackReason).toMatch(/^daily LLM budget spent \(4 of 4 requests, \d+ of 2000000 tokens today, UTC\)$/);

    // Nothing new to create on the next run; renewals only when they expire.
    const again = await w.h.settle(await w.h.pool.producer.enqueue(insightRefresh, {}, { jobId: `again-${Date.now()}` }));
    expect(again.returnvalue).toEqual({ queued: 0, renewals: 0, first: 0 });
  });

  it('the token budget stops the LLM too, once reached', async () => {
    await w.db.sql.query(`DELETE FROM llm_usage`);
    const tight = { ...w.config, LLM_DAILY_REQUESTS: 100, LLM_DAILY_TOKENS: 1, QUEUE_PREFIX: `${w.config.QUEUE_PREFIX}-tokens` };
    const other = await startHarness(tight, w.db.orm, JOBS);
    try {
      const before = llm.requests.length;
      const first = await other.settle(await other.pool.producer.enqueue(insightGenerate, { insightType: 'burnout_risk', developerId: dev.ann!, force: true }));
      const second = await other.settle(
        await other.pool.producer.enqueue(insightGenerate, { insightType: 'attrition_risk', developerId: dev.ann!, force: true }),
      );
      expect(first.returnvalue.model).toBe('standin-model');
      expect(second.returnvalue.model).toBe('heuristic-v1');
      expect(second.returnvalue.fallbackReason).toMatch(/^daily LLM budget spent \(1 of 100 requests, \d+ of 1 tokens today, UTC\)$/);
      expect(llm.requests.length - before).toBe(1);
    } finally {
      await other.close();
      await deletePrefix(tight.QUEUE_PREFIX);
    }
  });
});
