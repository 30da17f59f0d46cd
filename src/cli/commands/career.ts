import { InvalidArgumentError, type Command } from 'commander';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createLearningPath } from '../../career/paths.js';
import { readinessOf } from '../../career/readiness.js';
import { createCareerRole, rolesFor } from '../../career/roles.js';
import { skillLabel, skillLevels } from '../../career/skills.js';
import { sql } from '../../db/sql.js';
import { careerRecommend } from '../../jobs/index.js';
import { organizationsOfDeveloper } from '../../organizations/members.js';
import { waitAndReport, withOrm, withProducer } from '../context.js';

/** `skill=level`, repeatable, into {skill: level}. */
const skillPair = (value: string, previous: Record<string, number> = {}) => {
  const m = /^([a-z0-9_]+)=(\d{1,3})$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('must be skill=level, e.g. python=70');
  return { ...previous, [m[1]!]: Number(m[2]) };
};

/** An ISO 8601 date or instant. */
const instant = (value: string) => {
  const at = new Date(value);
  if (!/^\d{4}-\d\d-\d\d/.test(value) || Number.isNaN(at.getTime())) throw new InvalidArgumentError('must be an ISO 8601 date, e.g. 2026-06-01');
  return at;
};

async function developerByLogin(em: EntityManager, login: string): Promise<{ id: string; login: string }> {
  const [dev] = await sql<{ id: string; login: string }>(em, `SELECT id, github_username AS login FROM developers WHERE lower(github_username) = lower(?)`, [
    login,
  ]);
  if (!dev) throw new Error(`no developer with the GitHub login ${login}`);
  return dev;
}

/** `aexy career roles | role create | path create | status`: career roles, learning paths, a developer's standing. */
export function registerCareer(program: Command): void {
  const career = program.command('career').description('career roles, learning paths and progress');

  career
    .command('roles')
    .description("list the standard ladder and an organization's custom roles")
    .option('--organization <uuid>', 'also its custom roles')
    .action(async (opts: { organization?: string }) => {
      await withOrm(async (orm) => {
        const roles = await rolesFor(orm.em.fork(), opts.organization ?? null);
        for (const r of roles) {
          const skills = Object.entries(r.required_skills)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ');
          console.log(`${r.is_custom ? 'custom  ' : 'standard'}  L${r.level}  ${r.name.padEnd(34)} ${skills}`);
        }
      });
    });

  career
    .command('role')
    .description('custom roles of an organization')
    .command('create')
    .description('create a custom role (skills are checked against the skill vocabulary, levels 0-100)')
    .requiredOption('--organization <uuid>', 'the organization')
    .requiredOption('--name <name>', 'the role name')
    .requiredOption('--level <n>', 'its level (1 junior … 5 principal; up to 10)', (v) => Number(v))
    .requiredOption('--require <skill=level>', 'a required skill (repeat)', skillPair)
    .option('--optional <skill=level>', 'an optional skill (repeat)', skillPair)
    .option('--experience-years <n>', 'minimum years of experience', (v) => Number(v))
    .option('--description <text>')
    .option('--responsibility <text>', 'a responsibility (repeat)', (v: string, prev: string[] = []) => [...prev, v])
    .action(
      async (opts: {
        organization: string;
        name: string;
        level: number;
        require: Record<string, number>;
        optional?: Record<string, number>;
        experienceYears?: number;
        description?: string;
        responsibility?: string[];
      }) => {
        await withOrm(async (orm) => {
          const id = await createCareerRole(orm.em.fork(), {
            organizationId: opts.organization,
            name: opts.name,
            level: opts.level,
            requiredSkills: opts.require,
            optionalSkills: opts.optional ?? {},
            experienceYearsMin: opts.experienceYears,
            description: opts.description,
            responsibilities: opts.responsibility ?? [],
          });
          console.log(`role "${opts.name}" created as ${id}`);
        });
      },
    );

  career
    .command('path')
    .description('learning paths')
    .command('create')
    .description('create a learning path for a developer toward a role: gaps, estimate, milestones, recommended activities')
    .argument('<login>', "the developer's GitHub login")
    .requiredOption('--role <name>', 'the target role (a standard one, or a custom role of their organization)')
    .option('--wait', 'wait for the recommended activities and print them')
    .action(async (login: string, opts: { role: string; wait?: boolean }) => {
      await withOrm((orm, config) =>
        withProducer(async (producer) => {
          const em = orm.em.fork();
          const dev = await developerByLogin(em, login);
          const orgs = await organizationsOfDeveloper(em, dev.id);
          const roles = await sql<{ id: string; name: string; organization_id: string | null }>(
            em,
            `SELECT id, name, organization_id FROM career_roles WHERE lower(name) = lower(?) AND (organization_id IS NULL OR organization_id = ANY(?::uuid[]))`,
            [opts.role, `{${orgs.join(',')}}`],
          );
          if (roles.length === 0) throw new Error(`no role named "${opts.role}" for ${dev.login} (aexy career roles lists them)`);
          if (roles.length > 1) throw new Error(`"${opts.role}" names ${roles.length} roles of ${dev.login}'s organizations; rename one`);
          const path = await createLearningPath(em, producer, { developerId: dev.id, roleId: roles[0]!.id });
          console.log(
            `${path.existing ? 'already on' : 'created'} learning path ${path.learningPathId} for ${dev.login} → ${roles[0]!.name}: ` +
              (path.gaps.length
                ? `${path.gaps.length} gap(s), about ${path.estimatedMonths} month(s), target ${path.targetDate.slice(0, 10)}`
                : 'every required skill is met'),
          );
          for (const g of path.gaps) {
            console.log(
              `  ${skillLabel(g.skill).padEnd(16)} ${String(g.current).padStart(3)} → ${String(g.target).padStart(3)}  (${g.months} mo at ${g.rate}/mo, ${g.rate_source})  ${g.evidence}`,
            );
          }
          if (opts.wait && !path.existing && path.gaps.length) {
            const jobs = (await producer.queue(careerRecommend.queue).getJobs(['waiting', 'active', 'delayed', 'prioritized', 'completed'])).filter(
              (j) => j.name === careerRecommend.name && j.data.learningPathId === path.learningPathId,
            );
            if (jobs[0]) await waitAndReport(jobs[0], config);
            const [row] = await sql<{ recommended_activities: { skill: string; title: string; weeks: number; hours_per_week: number; source: string }[] }>(
              em,
              `SELECT recommended_activities FROM learning_paths WHERE id = ?`,
              [path.learningPathId],
            );
            for (const a of row?.recommended_activities ?? [])
              console.log(`  • [${a.skill}] ${a.title} (${a.hours_per_week} h/week for ${a.weeks} weeks, ${a.source})`);
          }
        }, config),
      );
    });

  career
    .command('status')
    .description("a developer's skill levels (with evidence), learning paths and milestones, and readiness for the next level")
    .argument('<login>', "the developer's GitHub login")
    .option('--json', 'print JSON')
    .option('--at <date>', 'skill levels and readiness as of this date (ISO 8601; default now)', instant)
    .action(async (login: string, opts: { json?: boolean; at?: Date }) => {
      await withOrm(async (orm) => {
        const em = orm.em.fork();
        const dev = await developerByLogin(em, login);
        const at = opts.at ?? new Date();
        const levels = await skillLevels(em, dev.id, at);
        const paths = await sql<{ id: string; role: string; status: string; estimated_months: number | null; target_date: Date | null }>(
          em,
          `SELECT p.id, r.name AS role, p.status, p.estimated_months, p.target_date FROM learning_paths p JOIN career_roles r ON r.id = p.target_role_id
            WHERE p.developer_id = ? ORDER BY p.started_at DESC`,
          [dev.id],
        );
        const milestones = await sql<{ learning_path_id: string; title: string; status: string; progress_percentage: number; target_date: Date | null }>(
          em,
          `SELECT learning_path_id, title, status, progress_percentage, target_date FROM learning_milestones WHERE learning_path_id = ANY(?::uuid[]) ORDER BY target_date, title`,
          [`{${paths.map((p) => p.id).join(',')}}`],
        );
        const readiness = await readinessOf(em, dev.id, at);
        if (opts.json) {
          console.log(
            JSON.stringify(
              {
                developer: dev.login,
                levels,
                paths: paths.map((p) => ({ ...p, milestones: milestones.filter((m) => m.learning_path_id === p.id) })),
                readiness,
              },
              null,
              2,
            ),
          );
          return;
        }
        console.log(`${dev.login}: skill levels (0-100, last 365 days, recent work weighs more)`);
        for (const [k, v] of Object.entries(levels)
          .sort((a, b) => b[1].level - a[1].level)
          .slice(0, 15))
          console.log(`  ${skillLabel(k).padEnd(16)} ${String(v.level).padStart(3)}  ${v.evidence}`);
        for (const p of paths) {
          console.log(`path → ${p.role}: ${p.status}${p.target_date ? `, target ${new Date(p.target_date).toISOString().slice(0, 10)}` : ''}`);
          for (const m of milestones.filter((x) => x.learning_path_id === p.id))
            console.log(`  [${m.status.padEnd(11)}] ${String(m.progress_percentage).padStart(3)}%  ${m.title}`);
        }
        console.log(
          `readiness (${readiness.track} track, from ${readiness.trackFrom}): ${readiness.current ? `at ${readiness.current.name}` : 'below the first level'}; ` +
            (readiness.next
              ? `${Math.round(readiness.share * 100)}% ready for ${readiness.next.name}${readiness.missing.length ? `, missing ${readiness.missing.map((m) => `${m.skill} ${m.current}/${m.target}`).join(', ')}` : ''}`
              : 'at the top of the ladder'),
        );
      });
    });
}
