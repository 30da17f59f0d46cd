import { InvalidArgumentError, type Command } from 'commander';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppConfig } from '../../config/index.js';
import {
  createCareerRole,
  createLearningPath,
  developerByLogin,
  pathsWithMilestones,
  readinessOf,
  recommendedActivities,
  rolesFor,
  rolesNamed,
  skillLabel,
  skillLevels,
  type CreatedPath,
  type PathWithMilestones,
  type Readiness,
  type SkillLevel,
} from '../../career/index.js';
import { careerRecommend } from '../../jobs/index.js';
import { organizationsOfDeveloper } from '../../organizations/index.js';
import type { Producer } from '../../queues/producer.js';
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

/** `aexy career roles | role create | path create | status`: career roles, learning paths, a developer's standing. */
export function registerCareer(program: Command): void {
  const career = program.command('career').description('career roles, learning paths and progress');
  registerRoles(career);
  registerRoleCreate(career);
  registerPathCreate(career);
  registerStatus(career);
}

function registerRoles(career: Command): void {
  career
    .command('roles')
    .description("list the standard ladder and an organization's custom roles")
    .option('--organization <uuid>', 'also its custom roles')
    .action(async (opts: { organization?: string }) => {
      await withOrm(async (orm) => {
        for (const r of await rolesFor(orm.em.fork(), opts.organization ?? null)) {
          const skills = Object.entries(r.required_skills)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ');
          console.log(`${r.is_custom ? 'custom  ' : 'standard'}  L${r.level}  ${r.name.padEnd(34)} ${skills}`);
        }
      });
    });
}

interface RoleCreateOptions {
  organization: string;
  name: string;
  level: number;
  require: Record<string, number>;
  optional?: Record<string, number>;
  experienceYears?: number;
  description?: string;
  responsibility?: string[];
}

function registerRoleCreate(career: Command): void {
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
    .action(async (opts: RoleCreateOptions) => {
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
    });
}

function registerPathCreate(career: Command): void {
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
          const roles = await rolesNamed(em, opts.role, await organizationsOfDeveloper(em, dev.id));
          if (roles.length === 0) throw new Error(`no role named "${opts.role}" for ${dev.login} (aexy career roles lists them)`);
          if (roles.length > 1) throw new Error(`"${opts.role}" names ${roles.length} roles of ${dev.login}'s organizations; rename one`);
          const path = await createLearningPath(em, producer, { developerId: dev.id, roleId: roles[0]!.id });
          printPath(dev.login, roles[0]!.name, path);
          if (opts.wait && !path.existing && path.gaps.length) await printRecommendations(em, producer, config, path.learningPathId);
        }, config),
      );
    });
}

function printPath(login: string, role: string, path: CreatedPath): void {
  console.log(
    `${path.existing ? 'already on' : 'created'} learning path ${path.learningPathId} for ${login} → ${role}: ` +
      (path.gaps.length
        ? `${path.gaps.length} gap(s), about ${path.estimatedMonths} month(s), target ${path.targetDate.slice(0, 10)}`
        : 'every required skill is met'),
  );
  for (const g of path.gaps) {
    console.log(
      `  ${skillLabel(g.skill).padEnd(16)} ${String(g.current).padStart(3)} → ${String(g.target).padStart(3)}  (${g.months} mo at ${g.rate}/mo, ${g.rate_source})  ${g.evidence}`,
    );
  }
}

/** Wait for the path's career.recommend job, then print what it recommended. */
async function printRecommendations(em: EntityManager, producer: Producer, config: AppConfig, learningPathId: string): Promise<void> {
  const jobs = (await producer.queue(careerRecommend.queue).getJobs(['waiting', 'active', 'delayed', 'prioritized', 'completed'])).filter(
    (j) => j.name === careerRecommend.name && j.data.learningPathId === learningPathId,
  );
  if (jobs[0]) await waitAndReport(jobs[0], config);
  for (const a of await recommendedActivities(em, learningPathId))
    console.log(`  • [${a.skill}] ${a.title} (${a.hours_per_week} h/week for ${a.weeks} weeks, ${a.source})`);
}

function registerStatus(career: Command): void {
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
        const standing = {
          developer: dev.login,
          levels: await skillLevels(em, dev.id, at),
          paths: await pathsWithMilestones(em, dev.id),
          readiness: await readinessOf(em, dev.id, at),
        };
        if (opts.json) console.log(JSON.stringify(standing, null, 2));
        else printStanding(standing);
      });
    });
}

function printStanding(s: { developer: string; levels: Record<string, SkillLevel>; paths: PathWithMilestones[]; readiness: Readiness }): void {
  const { readiness } = s;
  console.log(`${s.developer}: skill levels (0-100, last 365 days, recent work weighs more)`);
  for (const [k, v] of Object.entries(s.levels)
    .sort((a, b) => b[1].level - a[1].level)
    .slice(0, 15))
    console.log(`  ${skillLabel(k).padEnd(16)} ${String(v.level).padStart(3)}  ${v.evidence}`);
  for (const p of s.paths) {
    console.log(`path → ${p.role}: ${p.status}${p.target_date ? `, target ${new Date(p.target_date).toISOString().slice(0, 10)}` : ''}`);
    for (const m of p.milestones) console.log(`  [${m.status.padEnd(11)}] ${String(m.progress_percentage).padStart(3)}%  ${m.title}`);
  }
  console.log(
    `readiness (${readiness.track} track, from ${readiness.trackFrom}): ${readiness.current ? `at ${readiness.current.name}` : 'below the first level'}; ` +
      (readiness.next
        ? `${Math.round(readiness.share * 100)}% ready for ${readiness.next.name}${readiness.missing.length ? `, missing ${readiness.missing.map((m) => `${m.skill} ${m.current}/${m.target}`).join(', ')}` : ''}`
        : 'at the top of the ladder'),
  );
}
