import { describe, expect, it } from 'vitest';
import {
  CareerRole,
  CodeReview,
  Commit,
  CustomReport,
  Developer,
  LearningMilestone,
  LearningPath,
  PullRequest,
  ScheduledReport,
  SlackIntegration,
  SlackNotificationLog,
  Team,
  ExportJob,
  PredictiveInsight,
} from '../src/entities/index.js';
import { useTestWorld } from './hooks.js';

describe('entities and relations through MikroORM', () => {
  const w = useTestWorld();

  it('persists every entity and loads the relations back', async () => {
    const em = w.db.orm.em.fork();
    const dev = em.create(Developer, { githubId: 2 ** 40, githubUsername: 'octocat', skills: ['go', 'sql'], languages: { Go: { lines: 10, commits: 1 } } });
    const reviewer = em.create(Developer, { githubId: 7, githubUsername: 'hubot' });
    const team = em.create(Team, { name: 'Core', developerIds: [] });
    const commit = em.create(Commit, {
      sha: 'f'.repeat(40),
      developer: dev,
      repositoryName: 'hello',
      committedAt: new Date('2026-01-01T00:00:00Z'),
      files: [{ path: 'main.go', additions: 3, deletions: 1, language: 'Go' }],
    });
    const pr = em.create(PullRequest, { githubId: 11, number: 1, developer: dev, repositoryName: 'hello', state: 'merged', labels: ['bug'] });
    em.create(CodeReview, { githubId: 12, pullRequest: pr, reviewer, state: 'approved' });
    const role = em.create(CareerRole, { name: 'Senior Engineer', level: 3, requiredSkills: { go: 70 }, responsibilities: ['mentoring'] });
    const path = em.create(LearningPath, { developer: dev, targetRole: role });
    em.create(LearningMilestone, { learningPath: path, title: 'Ship a service' });
    const report = em.create(CustomReport, { name: 'Weekly', creator: dev, widgets: [{ type: 'bar', metric: 'commits' }] });
    em.create(ScheduledReport, { report, schedule: 'weekly', dayOfWeek: 1, timeUtc: '09:00', recipients: ['a@example.com'] });
    em.create(ExportJob, { requestedBy: dev, exportType: 'commits', format: 'csv', fileSizeBytes: 2 ** 33 });
    em.create(PredictiveInsight, { developer: dev, team, insightType: 'burnout_risk', riskScore: 0.25, factors: [] });
    const slack = em.create(SlackIntegration, { organizationId: '0d3c9a4e-5b7f-4c1a-9e2d-6f8a1b2c3d4e', teamId: 'T1', botToken: 'ciphertext' });
    em.create(SlackNotificationLog, { integration: slack, status: 'pending' });
    await em.flush();
    team.developerIds = [dev.id, reviewer.id];
    await em.flush();

    // Database defaults and server-side values are really there.
    const { rows } = await w.db.sql.query(
      `SELECT d.created_at IS NOT NULL AS has_created, d.frameworks, c.additions, c.languages, e.status, e.file_size_bytes,
              p.status AS path_status, m.status AS milestone_status, s.is_active, t.developer_ids
         FROM developers d, commits c, export_jobs e, learning_paths p, learning_milestones m, scheduled_reports s, teams t
        WHERE d.github_username = 'octocat'`,
    );
    expect(rows[0]).toMatchObject({
      has_created: true,
      frameworks: {},
      additions: 0,
      languages: {},
      status: 'pending',
      file_size_bytes: String(2 ** 33),
      path_status: 'active',
      milestone_status: 'pending',
      is_active: true,
    });
    expect(rows[0].developer_ids).toHaveLength(2);

    const fresh = w.db.orm.em.fork();
    const loaded = await fresh.findOneOrFail(Developer, { githubUsername: 'octocat' }, { populate: ['commits', 'pullRequests.reviews.reviewer'] });
    expect(loaded.githubId).toBe(2 ** 40);
    expect(loaded.skills).toEqual(['go', 'sql']);
    expect(loaded.commits.getItems().map((c) => c.sha)).toEqual([commit.sha]);
    expect(loaded.commits.getItems()[0]!.files).toEqual([{ path: 'main.go', additions: 3, deletions: 1, language: 'Go' }]);
    expect(loaded.pullRequests.getItems()[0]!.reviews.getItems()[0]!.reviewer!.getEntity().githubUsername).toBe('hubot');
    const lp = await fresh.findOneOrFail(LearningPath, { developer: loaded }, { populate: ['milestones', 'targetRole'] });
    expect(lp.targetRole!.$.name).toBe('Senior Engineer');
    expect(lp.milestones.getItems()[0]!.title).toBe('Ship a service');
    const rep = await fresh.findOneOrFail(CustomReport, { name: 'Weekly' }, { populate: ['schedules'] });
    expect(rep.schedules.getItems()[0]!.recipients).toEqual(['a@example.com']);
    const si = await fresh.findOneOrFail(SlackIntegration, { teamId: 'T1' }, { populate: ['logs'] });
    expect(si.logs).toHaveLength(1);
    // The bot token is lazy and hidden: not loaded by default, never serialised.
    expect(JSON.stringify(si)).not.toContain('ciphertext');
  });
});
