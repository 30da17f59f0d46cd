import type { Command } from 'commander';
import { categoryMapping, incidentMatches, setCategory, setIncidentMatches } from '../../issues/index.js';
import { withOrm } from '../context.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** `aexy issues categories|incidents`: an organization's investment mapping, and which issues are incidents. */
export function registerIssues(program: Command): void {
  const issues = program.command('issues').description("issues: an organization's investment categories and which issues are incidents");
  issues
    .command('categories')
    .description("an organization's mapping of issue types and labels to investment categories (its own over the defaults)")
    .requiredOption('--organization <uuid>', 'the organization')
    .option('--set <term=category>', 'map a type or label to feature, bug, tech debt, operations or other (repeatable)', collect, [])
    .option('--unset <term>', "drop the organization's own mapping of a term (repeatable)", collect, [])
    .action(async (opts: { organization: string; set: string[]; unset: string[] }) => {
      await withOrm(async (orm) => {
        const em = orm.em.fork();
        for (const pair of opts.set) {
          const at = pair.lastIndexOf('=');
          if (at <= 0) throw new Error(`--set: ${JSON.stringify(pair)} must be term=category`);
          await setCategory(em, opts.organization, pair.slice(0, at), pair.slice(at + 1).trim());
        }
        for (const term of opts.unset) await setCategory(em, opts.organization, term, null);
        console.table((await categoryMapping(em, opts.organization)).map((m) => ({ term: m.match, category: m.category, from: m.from })));
      });
    });
  issues
    .command('incidents')
    .description('which issues are incidents of the delivery model (their type or a label): show, replace or reset the terms')
    .requiredOption('--organization <uuid>', 'the organization')
    .option('--match <term>', 'an issue type or label that makes an issue an incident (repeatable; replaces the terms)', collect, [])
    .option('--default', 'back to the default (incident)')
    .action(async (opts: { organization: string; match: string[]; default?: boolean }) => {
      await withOrm(async (orm) => {
        const em = orm.em.fork();
        if (opts.default || opts.match.length) await setIncidentMatches(em, opts.organization, opts.default ? null : opts.match);
        const { matches, isDefault } = await incidentMatches(em, opts.organization);
        console.log(
          `issues of organization ${opts.organization} whose type or a label is ${matches.join(', ')}${isDefault ? ' (the default)' : ''} are incidents`,
        );
      });
    });
}
