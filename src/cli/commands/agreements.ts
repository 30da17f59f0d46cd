import type { Command } from 'commander';
import { changeAgreement, createAgreement, listAgreements, pauseAgreement, previewAgreement, type AgreementRow } from '../../agreements/index.js';
import { withOrm } from '../context.js';

const RULE_HELP =
  '<metric> <comparison> <number> [unit]: "pr_size <= 400 lines", "pickup_time <= 8h", "merged_without_review = 0", "deployment_frequency >= 1 per day"';

const shown = (a: AgreementRow) => ({
  id: a.id,
  team: a.team,
  name: a.name,
  rule: `${a.metric} ${a.comparison} ${a.target}${a.share !== null ? ` for ${Math.round(a.share * 1000) / 10} %` : ''}`,
  channel: a.channel ?? 'the organization’s',
  state: a.paused_at ? 'paused' : 'active',
});

/** `aexy agreements list|create|change|pause|resume|preview`: teams' working agreements. */
export function registerAgreements(program: Command): void {
  const agreements = program.command('agreements').description('team working agreements: list, create, change, pause, preview');
  agreements
    .command('list', { isDefault: true })
    .description("an organization's working agreements (or one team's)")
    .requiredOption('--organization <uuid>', 'the organization')
    .option('--team <uuid>', 'one team')
    .action(async (opts: { organization: string; team?: string }) => {
      await withOrm(async (orm) => {
        const rows = await listAgreements(orm.em.fork(), opts.organization, opts.team);
        if (rows.length === 0) console.log(`organization ${opts.organization} has no working agreements`);
        else console.table(rows.map(shown));
      });
    });
  agreements
    .command('create')
    .description("create a team's working agreement")
    .requiredOption('--organization <uuid>', 'the organization')
    .requiredOption('--team <uuid>', 'the team')
    .requiredOption('--rule <rule>', RULE_HELP)
    .option('--share <share>', 'pull-request agreements: the share of them that must keep it (80%)')
    .option('--channel <id>', 'the Slack channel of its alerts (C… or G…)')
    .option('--name <name>', 'how people call it (default: the rule)')
    .action(async (opts: { organization: string; team: string; rule: string; share?: string; channel?: string; name?: string }) => {
      await withOrm(async (orm) => {
        const a = await createAgreement(orm.em.fork(), {
          organizationId: opts.organization,
          teamId: opts.team,
          rule: opts.rule,
          share: opts.share,
          channel: opts.channel,
          name: opts.name,
        });
        console.log(`created working agreement ${a.id} of team ${a.team}: ${a.name}`);
      });
    });
  agreements
    .command('change')
    .description('change a working agreement (what is not given stays)')
    .argument('<id>', 'the agreement')
    .option('--rule <rule>', RULE_HELP)
    .option('--share <share>', 'the share of pull requests (none: each one)')
    .option('--channel <id>', 'the Slack channel of its alerts')
    .option('--name <name>', 'its name')
    .action(async (id: string, opts: { rule?: string; share?: string; channel?: string; name?: string }) => {
      await withOrm(async (orm) => {
        const a = await changeAgreement(orm.em.fork(), id, {
          rule: opts.rule,
          share: opts.share === 'none' ? null : opts.share,
          channel: opts.channel,
          name: opts.name,
        });
        console.table([shown(a)]);
      });
    });
  for (const [name, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const)
    agreements
      .command(name)
      .description(paused ? 'pause a working agreement: no alerts, no attainment' : 'resume a paused working agreement')
      .argument('<id>', 'the agreement')
      .action(async (id: string) => {
        await withOrm(async (orm) => {
          const a = await pauseAgreement(orm.em.fork(), id, paused);
          console.log(`working agreement ${a.id} (${a.name}) is ${a.paused_at ? 'paused' : 'active'}`);
        });
      });
  registerPreview(agreements);
}

/** `aexy agreements preview`: the events of the last days, by the evaluator that sends the alerts. */
function registerPreview(agreements: Command): void {
  agreements
    .command('preview')
    .description('how often an agreement would have alerted over the last days, by the evaluator that sends the alerts')
    .requiredOption('--organization <uuid>', 'the organization')
    .requiredOption('--team <uuid>', 'the team')
    .requiredOption('--rule <rule>', RULE_HELP)
    .option('--share <share>', 'pull-request agreements: the share of them that must keep it')
    .option('--days <n>', 'how many days back', '30')
    .action(async (opts: { organization: string; team: string; rule: string; share?: string; days: string }) => {
      const days = Number(opts.days);
      if (!Number.isInteger(days) || days < 1 || days > 365) throw new Error('--days: must be a whole number from 1 to 365');
      await withOrm(async (orm) => {
        const p = await previewAgreement(orm.em.fork(), { organizationId: opts.organization, teamId: opts.team, rule: opts.rule, share: opts.share }, { days });
        console.log(
          `${p.rule}, the last ${days} days: ${p.counts.heads_up} heads-up, ${p.counts.missed} missed, ${p.counts.recovered} recovered (${p.events.length} alerts)`,
        );
        if (p.events.length)
          console.table(
            p.events.map((e) => ({
              at: e.at.toISOString().slice(0, 16),
              kind: e.kind,
              about: e.pull ? `${e.pull.repository}#${e.pull.number}` : e.item,
              value: e.value,
            })),
          );
      });
    });
}
