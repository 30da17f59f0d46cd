import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { REPORT_FORMATS, runCustomReport, type ReportFormat } from '../../reports/index.js';
import { withOrm } from '../context.js';

/** `aexy report run <id>`: render a custom report now. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('custom reports')
    .command('run')
    .description('render a custom report now, to EXPORT_DIR')
    .argument('<id>', 'custom_reports id')
    .option('--format <format>', 'pdf, csv or json', 'pdf')
    .action(async (id: string, opts: { format: string }) => {
      if (!(REPORT_FORMATS as readonly string[]).includes(opts.format)) throw new Error(`--format must be one of ${REPORT_FORMATS.join(', ')}`);
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw new Error('report id must be a UUID');
      const config = loadConfig();
      await withOrm(async (orm) => {
        const r = await runCustomReport(orm.em.fork(), id, opts.format as ReportFormat, config.EXPORT_DIR);
        const errors = r.data.widgets.filter((w) => w.type === 'error');
        console.log(`report "${r.data.report.name}": ${r.data.widgets.length - errors.length} widgets rendered → ${r.path} (${r.bytes} bytes)`);
        for (const e of errors) console.log(`  ! ${e.error}`);
      }, config);
    });
}
