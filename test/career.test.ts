import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCustomReport } from '../src/reports/run.js';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { requestExport } from '../src/exports/request.js';
import { seedCareerLadder, STANDARD_ROLES } from '../src/career/ladder.js';
import { addMonths, createLearningPath, skillGaps } from '../src/career/paths.js';
import { progressOf } from '../src/career/progress.js';
import { readinessFrom } from '../src/career/readiness.js';
import { createCareerRole } from '../src/career/roles.js';
import { levelsFrom, skillLevels } from '../src/career/skills.js';
import { randomBytes } from 'node:crypto';
import { KeyRing } from '../src/crypto/secrets.js';
import { OpenAIStandIn } from '../src/dev/openai-stand-in.js';
import { SlackStandIn } from '../src/dev/slack-stand-in.js';
import { installSlackIntegration } from '../src/slack/integrations.js';
import { careerRecommend, careerRefreshPaths, developerRefreshProfile } from '../src/jobs/index.js';
import { computeMetrics } from '../src/metrics/library.js';
import { attachRepository } from './helpers/repositories.js';
import { useTestWorld, useStandIn } from './hooks.js';
import { runCliProcess } from './helpers/spawn.js';

const ORG = '7e7e7e7e-8f8f-4a9a-8b0b-1c1c1c1c1c1c';
const OTHER_ORG = '8f8f8f8f-9a9a-4b0b-8c1c-2d2d2d2d2d2d';
const DAY = 86_400_000;
/** The moment levels are computed at in the hand-computed cases. */
const AT = new Date('2026-06-01T00:00:00Z');
const ago = (ms: number) => new Date(AT.getTime() - ms);

describe('career growth: skill levels, roles, learning paths, progress', () => {
  let llm: OpenAIStandIn;
  let slack: SlackStandIn;
  const dev: Record<string, string> = {};

  useStandIn(async () => (llm = await new OpenAIStandIn().start()));
  useStandIn(async () => (slack = await new SlackStandIn().start()));
  const w = useTestWorld({
    harness: true,
    settings: () => ({
      OPENAI_BASE_URL: llm.url,
      OPENAI_API_KEY: 'sk-standin',
      OPENAI_MODEL: 'coach-model',
      LLM_TIMEOUT_MS: '2000',
      SLACK_API_URL: slack.url,
      ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    }),
  });

  beforeAll(async () => {
    // The fixture's teams are smaller than the default group size (3): their numbers are shown here (withholding is policy.test.ts's).
    for (const org of [ORG]) await w.rows.insert('organization_policies', { organization_id: org, min_group_size: 1 });
    await seedCareerLadder(w.db.orm.em.fork());
    for (const [i, login] of ['kim', 'lee', 'bot[bot]'].entries()) {
      dev[login] = await w.rows.developer({ githubId: i + 1, login });
    }
    await w.rows.insert('developer_bots', { developer_id: dev['bot[bot]'], reason: 'github-type' });
    await w.rows.team({ name: 'Core', organizationId: ORG, developerIds: [dev.kim!, dev.lee!] });
  });

  const commit = (sha: string, who: string, at: Date, languages: Record<string, number>, paths: string[], merge = false) =>
    w.rows
      .commit({ sha: sha.padEnd(40, '0'), developer_id: dev[who], committed_at: at, languages, files: paths.map((path) => ({ path })) })
      .then(() => (merge ? w.rows.insert('commit_graph', { sha: sha.padEnd(40, '0'), parent_shas: ['a', 'b'], is_merge: true }) : undefined));

  it('levels are computed by the documented formula (hand-computed), recency-weighted, old work and merges left out', async () => {
    // kim, in the year before AT:
    await commit('k1', 'kim', ago(1000), { Python: 990 }, ['api/app.py', 'api/tests/test_app.py']); // weight ≈ 1
    await commit('k2', 'kim', ago(180 * DAY), { Python: 100, Markdown: 20 }, ['api/x.py', 'docs/guide.md']); // weight 0.5
    await commit('k3', 'kim', ago(1000), { TypeScript: 50 }, ['a/1.ts', 'b/2.ts', 'c/3.ts', 'd/4.ts', 'e/5.ts']); // cuts across 5 directories
    await commit('k4', 'kim', ago(400 * DAY), { Python: 99_999 }, ['old.py']); // before the window
    await commit('k5', 'kim', ago(1000), { Python: 50_000 }, ['merged.py'], true); // a merge: its lines are others'
    // 4 reviews of lee's pull request (opened 10, 20, 30 and 200 hours before), one of kim's own.
    const pr = async (gid: number, who: string, opened: Date) =>
      w.rows.pullRequest({ github_id: gid, number: gid, developer_id: dev[who], created_at: opened });
    let g = 100;
    for (const hours of [10, 20, 30, 200]) {
      const id = await pr(g, 'lee', ago(1000 + hours * 3_600_000));
      await w.rows.codeReview({ github_id: g++, pull_request_id: id, reviewer_id: dev.kim, submitted_at: ago(1000) });
    }
    const own = await pr(g, 'kim', ago(DAY));
    await w.rows.codeReview({ github_id: g, pull_request_id: own, reviewer_id: dev.kim, state: 'commented', submitted_at: ago(1000) });

    const levels = await skillLevels(w.db.orm.em.fork(), dev.kim!, AT);
    const level = Object.fromEntries(Object.entries(levels).map(([k, v]) => [k, v.level]));
    expect(level).toEqual({
      // W·lines = 990 + 0.5·100 = 1040, W·commits = 1.5: 20·log10(1 + 104) + 10·log2(2.5) = 40.42 + 13.22
      python: 54,
      backend: 54,
      // W·lines = 0.5·20 = 10, W·commits = 0.5: 20·log10(2) + 10·log2(1.5) = 6.02 + 5.85
      markdown: 12,
      // 50 lines, 1 commit: 20·log10(6) + 10·log2(2) = 15.56 + 10
      typescript: 26,
      frontend: 26,
      // one commit each: 25·log2(2); documentation's commit weighs 0.5: 25·log2(1.5) = 14.6
      testing: 25,
      flask: 25,
      pytest: 25, // test_app.py is pytest's file-name convention
      system_design: 25,
      documentation: 15,
      // 4 reviews of others: 17.5·log2(5) = 40.6; median turnaround 25 h: 30·(120 − 25)/96 = 29.7
      code_review: 70,
    });
    expect(levels.python!.evidence).toBe('1,090 lines in 2 commits in the last 365 days (recency-weighted: 1,040 lines, 1.5 commits)');
    expect(levels.code_review!.evidence).toBe(
      "4 reviews of others' pull requests in the last 365 days (recency-weighted: 4), median 25 h after the pull request opened",
    );
    // The pure formula gives the same numbers from the same evidence (and ignores what is outside the window).
    expect(levelsFrom([{ committedAt: ago(500 * DAY), languages: { Go: 1000 }, paths: [] }], [], AT)).toEqual({});
  });

  it('gaps, estimates and progress follow the documented model (hand-computed)', () => {
    const now = { python: { level: 54, evidence: 'e' }, testing: { level: 25, evidence: 't' }, code_review: { level: 70, evidence: 'c' } };
    const past = { python: { level: 39, evidence: '' }, testing: { level: 25, evidence: '' } };
    const gaps = skillGaps({ python: 70, testing: 50, code_review: 60, rust: 10 }, now, past);
    expect(gaps.map((g) => [g.skill, g.current, g.target, g.gap, g.rate, g.rate_source, g.months])).toEqual([
      // grew 15 points in 90 days = 5.07 a month → 5.1; 16 / 5.1 → 4 months
      ['python', 54, 70, 16, 5.1, 'observed', 4],
      // nothing known: the default 5 a month, 10 / 5 → 2 months
      ['rust', 0, 10, 10, 5, 'default', 2],
      // no growth observed: the default, 25 / 5 → 5 months
      ['testing', 25, 50, 25, 5, 'default', 5],
    ]);
    expect(gaps.find((g) => g.skill === 'rust')!.evidence).toBe('no Rust evidence in the last 365 days');
    expect(progressOf(25, 40, 50)).toBe(60);
    expect(progressOf(25, 10, 50)).toBe(0);
    expect(progressOf(25, 80, 50)).toBe(100);
    expect(addMonths(new Date('2026-01-31T10:00:00Z'), 1).toISOString()).toBe('2026-02-28T10:00:00.000Z');
  });

  it('readiness for the next level of the track: the share of its required skills met, and what is missing', () => {
    const l = (n: number) => ({ level: n, evidence: '' });
    const r = readinessFrom({ backend: l(55), testing: l(40), code_review: l(30), frontend: l(20) }, null);
    // Junior backend (30/20/15) met; Mid-level backend asks backend 50, testing 35, code_review 35.
    expect(r).toMatchObject({
      track: 'backend',
      current: { name: 'Junior Backend Engineer', level: 1 },
      next: { name: 'Mid-level Backend Engineer', level: 2 },
      share: 0.67,
      missing: [{ skill: 'code_review', current: 30, target: 35 }],
    });
    expect(STANDARD_ROLES).toHaveLength(15);
  });

  it('custom roles are validated: unknown skills and levels outside 0-100 are refused with a clear error; a role of another organization cannot be a target', async () => {
    const em = w.db.orm.em.fork();
    const refused = await createCareerRole(em, { organizationId: ORG, name: 'Data Lead', level: 4, requiredSkills: { pyhton: 70, system_design: 120 } }).catch(
      (err: Error) => err.message,
    );
    expect(refused).toMatch(/^Invalid career role: /);
    expect(refused).toContain('requiredSkills.pyhton: unknown skill (known: practices code_review, testing');
    expect(refused).toContain('requiredSkills.system_design: must be 0 to 100');
    const id = await createCareerRole(em, { organizationId: ORG, name: 'Data Lead', level: 4, requiredSkills: { python: 70, sql: 50, system_design: 40 } });
    await expect(createCareerRole(em, { organizationId: ORG, name: 'data lead', level: 3, requiredSkills: { python: 10 } })).rejects.toThrow(
      'already has a role named "data lead"',
    );
    const foreign = await createCareerRole(em, { organizationId: OTHER_ORG, name: 'Their Role', level: 2, requiredSkills: { go: 40 } });
    await expect(createLearningPath(em, null, { developerId: dev.kim!, roleId: foreign })).rejects.toThrow(
      `"Their Role" is a role of organization ${OTHER_ORG}, which kim is not in`,
    );
    await expect(createLearningPath(em, null, { developerId: dev['bot[bot]']!, roleId: id })).rejects.toThrow('is a bot');
    // A role written straight into the table with requirements outside the vocabulary is refused, not guessed at.
    const raw = await w.rows.insert('career_roles', { name: 'Raw', level: 2, required_skills: { python: 'lots', golf: 10 } });
    await expect(createLearningPath(em, null, { developerId: dev.kim!, roleId: raw })).rejects.toThrow(
      'Career role "Raw" has invalid required_skills: python: must be a level from 0 to 100',
    );
    // The CLI refuses the same way, exit code 1.
    const env = { DATABASE_URL: w.db.url, LOG_LEVEL: 'silent' };
    const bad = await runCliProcess(['career', 'role', 'create', '--organization', ORG, '--name', 'X', '--level', '2', '--require', 'cobol9000=50'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('requiredSkills.cobol9000: unknown skill');
  }, 60_000);

  it('a path toward a role: gaps, estimate, staggered milestones, catalog activities, then the LLM’s; idempotent', async () => {
    const em = w.db.orm.em.fork();
    const roleId = (await w.db.sql.query(`SELECT id FROM career_roles WHERE name = 'Data Lead'`)).rows[0].id as string;
    const path = await createLearningPath(em, w.h.pool.producer, { developerId: dev.kim!, roleId, now: AT });
    const levels = await skillLevels(em, dev.kim!, AT);
    // python 54 → 70, sql 0 → 50, system_design 25 → 40. 90 days before AT only k2 existed: python's growth since is
    // observed, system_design's (no cross-cutting commit then) too, sql has none (the default rate).
    const past = await skillLevels(em, dev.kim!, ago(90 * DAY));
    expect(path.gaps.map((g) => [g.skill, g.current, g.target, g.gap])).toEqual([
      ['python', levels.python!.level, 70, 70 - levels.python!.level],
      ['sql', 0, 50, 50],
      ['system_design', levels.system_design!.level, 40, 40 - levels.system_design!.level],
    ]);
    const rate = (skill: string) => {
      const observed = ((levels[skill]?.level ?? 0) - (past[skill]?.level ?? 0)) / (90 / 30.4375);
      return observed > 0 ? Math.round(observed * 10) / 10 : 5;
    };
    const months = path.gaps.map((g) => Math.ceil(g.gap / rate(g.skill)));
    expect(path.gaps.map((g) => g.months)).toEqual(months);
    expect(path.estimatedMonths).toBe(Math.max(...months));
    expect(path.targetDate).toBe(addMonths(AT, Math.max(...months)).toISOString());
    const milestones = (
      await w.db.sql.query(
        `SELECT title, skill, target_level, status, progress_percentage, target_date FROM learning_milestones WHERE learning_path_id = $1 ORDER BY target_date, skill`,
        [path.learningPathId],
      )
    ).rows;
    expect(milestones).toHaveLength(3);
    for (const m of milestones) {
      const gap = path.gaps.find((g) => g.skill === m.skill)!;
      expect(m).toMatchObject({ target_level: gap.target, status: 'pending', progress_percentage: 0 });
      expect(m.target_date.toISOString()).toBe(addMonths(AT, gap.months).toISOString());
    }
    expect(milestones.find((m) => m.skill === 'sql')!.title).toBe('Raise SQL from 0 to 50');
    // Catalog activities at once; the LLM's once career.recommend ran (only skills and numbers were sent).
    const before = (await w.db.sql.query(`SELECT recommended_activities FROM learning_paths WHERE id = $1`, [path.learningPathId])).rows[0]
      .recommended_activities;
    expect(before.every((a: { source: string }) => a.source === 'catalog')).toBe(true);
    await w.h.idle(['insights']);
    const after = (await w.db.sql.query(`SELECT recommended_activities FROM learning_paths WHERE id = $1`, [path.learningPathId])).rows[0]
      .recommended_activities;
    expect(after.map((a: { skill: string; source: string }) => [a.skill, a.source])).toEqual([
      ['python', 'llm'],
      ['sql', 'llm'],
      ['system_design', 'llm'],
    ]);
    const sent = JSON.parse(llm.requests.at(-1)!.messages.find((m) => m.role === 'user')!.content);
    expect(sent).toEqual({ target_level: 4, gaps: path.gaps.map((g) => ({ skill: g.skill, current: g.current, target: g.target })) });
    // Again: the same active path, nothing new.
    const again = await createLearningPath(em, w.h.pool.producer, { developerId: dev.kim!, roleId, now: AT });
    expect(again).toMatchObject({ learningPathId: path.learningPathId, existing: true });
    expect((await w.db.sql.query(`SELECT count(*)::int AS n FROM learning_paths WHERE developer_id = $1`, [dev.kim])).rows[0].n).toBe(1);
  });

  it('malformed and out-of-range model answers: asked again, clamped, unknown skills dropped; without a model the catalog stays', async () => {
    const paths = (await w.db.sql.query(`SELECT id FROM learning_paths WHERE developer_id = $1`, [dev.kim])).rows;
    llm.script.push({ kind: 'malformed' }, { kind: 'out_of_range' });
    const done = await w.h.settle(await w.h.pool.producer.enqueue(careerRecommend, { learningPathId: paths[0].id }, { jobId: `again-${Date.now()}` }));
    expect(done.returnvalue).toMatchObject({ source: 'coach-model', activities: 3 });
    const acts = (await w.db.sql.query(`SELECT recommended_activities FROM learning_paths WHERE id = $1`, [paths[0].id])).rows[0].recommended_activities;
    expect(acts.map((a: { skill: string; hours_per_week: number; weeks: number }) => [a.skill, a.hours_per_week, a.weeks])).toEqual([
      ['python', 40, 1],
      ['sql', 40, 1],
      ['system_design', 40, 1],
    ]);
    llm.script.push({ kind: 'malformed' }, { kind: 'malformed' });
    const fallback = await w.h.settle(await w.h.pool.producer.enqueue(careerRecommend, { learningPathId: paths[0].id }, { jobId: `fallback-${Date.now()}` }));
    expect(fallback.returnvalue).toMatchObject({ source: 'catalog', fallbackReason: expect.stringMatching(/malformed twice/) });
    const catalog = (await w.db.sql.query(`SELECT recommended_activities FROM learning_paths WHERE id = $1`, [paths[0].id])).rows[0].recommended_activities;
    expect(catalog.every((a: { source: string }) => a.source === 'catalog')).toBe(true);
    expect(catalog.map((a: { title: string }) => a.title)).toContain('Ship a feature in SQL');
  });

  it('progress follows new work after each profile refresh: pending → in_progress → completed, the path completes, reruns change nothing; paused paths stay', async () => {
    const em = w.db.orm.em.fork();
    const roleId = await createCareerRole(em, { organizationId: ORG, name: 'Test Champion', level: 2, requiredSkills: { testing: 50, documentation: 25 } });
    // lee: nothing yet. Levels now start at 0: testing needs 50, documentation 25.
    const path = await createLearningPath(em, w.h.pool.producer, { developerId: dev.lee!, roleId });
    expect(path.gaps.map((g) => [g.skill, g.start, g.target])).toEqual([
      ['documentation', 0, 25],
      ['testing', 0, 50],
    ]);
    const paused = await createLearningPath(em, null, {
      developerId: dev.lee!,
      roleId: (await w.db.sql.query(`SELECT id FROM career_roles WHERE name = 'Data Lead'`)).rows[0].id,
    });
    await w.db.sql.query(`UPDATE learning_paths SET status = 'paused' WHERE id = $1`, [paused.learningPathId]);
    const state = async () =>
      (
        await w.db.sql.query(
          `SELECT m.skill, m.status, m.progress_percentage, m.completed_at IS NOT NULL AS done FROM learning_milestones m WHERE m.learning_path_id = $1 ORDER BY m.skill`,
          [path.learningPathId],
        )
      ).rows;
    const refresh = async () => {
      const job = await w.h.settle(
        await w.h.pool.producer.enqueue(developerRefreshProfile, { developerId: dev.lee! }, { jobId: `p-${Date.now()}-${Math.random()}` }),
      );
      expect(job.failedReason).toBeUndefined();
      await w.h.idle(['profiles', 'slack']);
    };
    // One commit touching a test file, minutes old (weight ≈ 1): testing 25·log2(2) = 25 → 25 / 50 = 50%.
    await w.rows.commit({
      sha: 'l1'.padEnd(40, '0'),
      developer_id: dev.lee,
      committed_at: new Date(Date.now() - 2 * 60_000),
      languages: { Go: 10 },
      files: [{ path: 'svc/handler_test.go' }],
    });
    await refresh();
    expect(await state()).toEqual([
      { skill: 'documentation', status: 'pending', progress_percentage: 0, done: false },
      { skill: 'testing', status: 'in_progress', progress_percentage: 50, done: false },
    ]);
    // The same data again: nothing moves, nothing is told.
    const rerun = await w.h.settle(await w.h.pool.producer.enqueue(careerRefreshPaths, { developerId: dev.lee! }, { jobId: `rerun-${Date.now()}` }));
    expect(rerun.returnvalue).toEqual({ developerId: dev.lee, paths: 1, milestonesMoved: 0, milestonesCompleted: 0, pathsCompleted: 0 });
    // lee's workspace knows her: completions are told to her alone.
    await installSlackIntegration(w.db.orm.em.fork(), new KeyRing(w.config.ENCRYPTION_KEYS!), {
      organizationId: ORG,
      teamId: 'T0STANDIN',
      botToken: 'xoxb-standin-token',
      defaultChannelId: 'C0ALERTS',
      userMappings: { U0LEE: dev.lee! },
    });
    slack.users.push({ id: 'U0LEE', team: 'T0STANDIN', email: 'lee@example.com', name: 'lee' });
    // Two more test commits (3 → 25·log2(4) = 50: met) and one doc commit (25: met).
    for (const [sha, file] of [
      ['l2', 'svc/a_test.go'],
      ['l3', 'svc/b_test.go'],
      ['l4', 'README.md'],
    ]) {
      await w.rows.commit({
        sha: sha!.padEnd(40, '0'),
        developer_id: dev.lee,
        committed_at: new Date(Date.now() - 60_000),
        languages: {},
        files: [{ path: file }],
      });
    }
    await refresh();
    expect(await state()).toEqual([
      { skill: 'documentation', status: 'completed', progress_percentage: 100, done: true },
      { skill: 'testing', status: 'completed', progress_percentage: 100, done: true },
    ]);
    const rows = (
      await w.db.sql.query(`SELECT id, status, completed_at IS NOT NULL AS done, skill_gaps FROM learning_paths WHERE developer_id = $1 ORDER BY started_at`, [
        dev.lee,
      ])
    ).rows;
    expect(rows.map((r) => [r.id, r.status, r.done])).toEqual([
      [path.learningPathId, 'completed', true],
      [paused.learningPathId, 'paused', false],
    ]);
    expect(rows[0].skill_gaps.map((g: { skill: string; current: number; gap: number }) => [g.skill, g.current, g.gap])).toEqual([
      ['documentation', 25, 0],
      ['testing', 50, 0],
    ]);
    // Two milestones and the path: three direct messages to lee, nothing in any channel.
    expect(slack.posted.map((m) => [slack.ims.get(m.channel), m.text]).sort()).toEqual([
      ['U0LEE', 'Learning path completed: Test Champion'],
      ['U0LEE', 'Milestone reached: Raise Documentation from 0 to 25'],
      ['U0LEE', 'Milestone reached: Raise Testing from 0 to 50'],
    ]);
    // The paused path was not touched: its milestones are as created.
    expect(
      (await w.db.sql.query(`SELECT count(*)::int AS n FROM learning_milestones WHERE learning_path_id = $1 AND status <> 'pending'`, [paused.learningPathId]))
        .rows[0].n,
    ).toBe(0);
    // Nothing active any more: a refresh queues no path refresh.
    const refreshes = async () => (await w.h.reader('profiles').getJobs(['completed'])).filter((j) => j.name === 'career.refresh-paths').length;
    const n = await refreshes();
    await refresh();
    expect(await refreshes()).toBe(n);
  });

  it('report metrics: skill levels of a scope, learning progress and readiness per person', async () => {
    // The work so far is in the organization's repository (a report counts its own repositories' work).
    await attachRepository(w.db, 'acme/api', ORG);
    const at = { date_range: { start: '2025-06-01', end: AT.toISOString() } };
    const kim = await computeMetrics(w.db.sql, ['skill_levels', 'career_readiness'], { ...at, developer_ids: [dev.kim!] }, AT);
    // kim alone: her own levels at AT (the first test's hand-computed numbers), by their names.
    expect(kim.skill_levels).toMatchObject({ kind: 'breakdown', unit: 'level' });
    expect((kim.skill_levels as { items: { label: string; value: number }[] }).items.slice(0, 3)).toEqual([
      { label: 'Code review', value: 70 },
      { label: 'Backend', value: 54 },
      { label: 'Python', value: 54 },
    ]);
    // Two people: each skill averaged over both (lee has none of kim's Python at AT): 54 / 2 = 27.
    const both = await computeMetrics(w.db.sql, ['skill_levels', 'learning_progress'], { ...at, developer_ids: [dev.kim!, dev.lee!] }, AT);
    expect((both.skill_levels as { items: { label: string; value: number }[] }).items.find((i) => i.label === 'Python')).toEqual({
      label: 'Python',
      value: 27,
    });
    // lee completed every milestone (100); kim's Data Lead milestones have not moved (0); paused paths do not count.
    expect((both.learning_progress as { items: unknown[] }).items).toEqual([
      { label: 'lee', value: 100 },
      { label: 'kim', value: 0 },
    ]);
    // Readiness: kim meets the backend track's Junior level (backend 30, testing 20, code_review 15), and of the
    // Mid-level's backend 50, testing 35, code_review 35 she has backend and code review: 2 of 3.
    expect((kim.career_readiness as { items: unknown[] }).items).toEqual([{ label: 'kim', value: 67 }]);

    // As report widgets of the organization's report.
    const reportId = await w.rows.customReport({
      organization_id: ORG,
      name: 'Growth',
      widgets: [
        { type: 'bar', metric: 'skill_levels', config: { title: 'Team skills', limit: 5 } },
        { type: 'table', metric: 'learning_progress', config: { title: 'Learning progress' } },
        { type: 'table', metric: 'career_readiness' },
      ],
      filters: at,
    });
    const dir = await mkdtemp(join(tmpdir(), 'aexy-career-report-'));
    try {
      const report = await runCustomReport(w.db.orm.em.fork(), reportId, 'json', dir, AT);
      expect(report.data.widgets.map((w) => [w.title, w.type, w.items?.length])).toEqual([
        ['Team skills', 'bar', 5],
        ['Learning progress', 'table', 2],
        ['Readiness for the next level of their track (share of its required skills met), per person', 'table', 2],
      ]);
      expect(report.data.widgets[1]!.items).toEqual([
        { label: 'lee', value: 100 },
        { label: 'kim', value: 0 },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('export type learning_paths: a row per milestone of the organization’s members’ paths, CSV and JSON alike', async () => {
    const { rows: expected } = await w.db.sql.query(
      `SELECT d.github_username, r.name, m.skill, m.progress_percentage FROM learning_paths p JOIN developers d ON d.id = p.developer_id
         JOIN career_roles r ON r.id = p.target_role_id LEFT JOIN learning_milestones m ON m.learning_path_id = p.id
        WHERE p.developer_id = ANY($1::uuid[]) ORDER BY 1, p.started_at, p.id, m.target_date, m.skill`,
      [[dev.kim, dev.lee]],
    );
    for (const format of ['json', 'csv'] as const) {
      const id = await requestExport(w.db.orm.em.fork(), w.h.pool.producer, { exportType: 'learning_paths', format, config: { organization_id: ORG } });
      const [job] = (await w.h.reader('exports').getJobs(['waiting', 'active', 'completed', 'failed'])).filter((j) => j.data.exportJobId === id);
      await w.h.settle(job!);
      const row = (await w.db.sql.query(`SELECT status, file_path, error_message FROM export_jobs WHERE id = $1`, [id])).rows[0];
      expect(row.status, row.error_message).toBe('completed');
      const text = await readFile(row.file_path, 'utf8');
      const records: Record<string, string | number | null>[] = format === 'json' ? JSON.parse(text) : parse(text, { columns: true });
      expect(
        records.map((r) => [
          r.developer,
          r.target_role,
          r.skill || null,
          r.progress_percentage === '' || r.progress_percentage === null ? null : Number(r.progress_percentage),
        ]),
      ).toEqual(expected.map((e) => [e.github_username, e.name, e.skill, e.progress_percentage]));
    }
  });

  it('the active-path lookup is served by the contract’s partial index', async () => {
    const client = await w.db.sql.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL enable_seqscan = off');
      const plan = (await client.query(`EXPLAIN SELECT id FROM learning_paths WHERE developer_id = $1 AND status = 'active'`, [dev.kim])).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');
      expect(plan).toContain('idx_learning_paths_active');
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });

  it('CLI: career roles, path create and status', async () => {
    const env = { DATABASE_URL: w.db.url, REDIS_URL: w.config.REDIS_URL, QUEUE_PREFIX: w.config.QUEUE_PREFIX, LOG_LEVEL: 'silent' };
    const roles = await runCliProcess(['career', 'roles', '--organization', ORG], env);
    expect(roles.stdout).toMatch(/standard {2}L3 {2}Senior Backend Engineer +backend 65, testing 50, code_review 55, system_design 35/);
    expect(roles.stdout).toMatch(/custom {4}L4 {2}Data Lead/);
    expect(roles.stdout).not.toContain('Their Role');
    const created = await runCliProcess(['career', 'path', 'create', 'kim', '--role', 'Senior Backend Engineer'], env);
    expect(created.stderr).toBe('');
    expect(created.stdout).toMatch(
      /created learning path [0-9a-f-]{36} for kim → Senior Backend Engineer: \d+ gap\(s\), about \d+ month\(s\), target \d{4}-\d\d-\d\d/,
    );
    // As of AT, the first test's hand-computed level (the fixture's dates are relative to AT).
    const status = await runCliProcess(['career', 'status', 'kim', '--at', AT.toISOString()], env);
    expect(status.stdout).toMatch(/Python +54 {2}1,090 lines in 2 commits/);
    expect(status.stdout).toContain('path → Senior Backend Engineer: active');
    expect(status.stdout).toMatch(/readiness \(backend track, from learning path\)/);
    const badDate = await runCliProcess(['career', 'status', 'kim', '--at', 'yesterday'], env);
    expect(badDate.code).toBe(1);
    expect(badDate.stderr).toContain("option '--at <date>' argument 'yesterday' is invalid. must be an ISO 8601 date");
    const unknown = await runCliProcess(['career', 'path', 'create', 'kim', '--role', 'Their Role'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no role named "Their Role" for kim');
  }, 90_000);
});
