import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { PDFParse } from 'pdf-parse';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeMetrics } from '../src/metrics/library.js';
import { buildReportData } from '../src/reports/data.js';
import { runCustomReport } from '../src/reports/run.js';
import type pg from 'pg';
import { useTestWorld } from './hooks.js';
import { METRICS_ORG, seedMetricsFixture } from './helpers/metrics-data.js';
import { runCliProcess } from './helpers/spawn.js';

describe('custom reports: PDF, CSV and JSON', () => {
  const w = useTestWorld();
  let reportId: string;
  let ids: Record<string, string>;
  const now = new Date('2026-03-31T00:00:00Z');

  beforeAll(async () => {
    ({ ids } = await seedMetricsFixture(w.db));
    const widgets = [
      { type: 'number', metric: 'commits', config: { title: 'Commits this month' }, position: { x: 0, y: 0 } },
      { type: 'number', metric: 'pr_cycle_time' },
      { type: 'bar', metric: 'language_mix' },
      { type: 'pie', metric: 'pr_size_distribution' },
      { type: 'line', metric: 'commits', config: { title: 'Commits per day', group_by: 'day' } },
      { type: 'table', metric: 'lines_added', config: { title: 'Lines added by developer' } },
      { type: 'radar', metric: 'commits' },
      { type: 'bar', metric: 'happiness' },
    ];
    reportId = await w.rows.customReport({
      creator_id: ids.ann,
      name: 'March engineering review',
      description: 'Monthly numbers',
      widgets,
      filters: { date_range: { start: '2026-03-01', end: '2026-03-31' } },
    });
  });

  it('PDF: a cover with the key numbers and their change, the widgets on a grid, the values of the charts, numbered pages', async () => {
    const r = await runCustomReport(w.db.orm.em.fork(), reportId, 'pdf', w.dir, now);
    const pdf = await readFile(r.path);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBe(r.bytes);
    const parser = new PDFParse({ data: new Uint8Array(pdf) });
    const { pages, total } = await parser.getText();
    await parser.destroy();
    // The cover; 8 widgets on a 2 × 2 grid (the default layout): 2 pages; the values of the 3 charts with data: 1 page.
    expect(total).toBe(4);
    const page = (n: number) => pages[n - 1]!.text.replace(/\s+/g, ' ');
    pages.forEach((_, i) => expect(page(i + 1)).toContain(`Page ${i + 1} of 4`));
    // The window is 1 March to 31 March 00:00: its days are 1-30 March, and the period before is as long.
    expect(page(1)).toContain('March engineering review · 1 – 30 Mar 2026');
    expect(page(1)).toContain('1 – 30 Mar 2026 (UTC)');
    expect(page(1)).toContain('Each number against 30 Jan – 28 Feb 2026');
    // Key numbers on the cover, by hand from the fixture: 5 commits in March against 1 (cat's, 1 February)
    // in the 30 days before; a 20 h median cycle, with no pull request merged before.
    expect(page(1)).toMatch(/Commits this month 5 commits \+4 \(\+400%\) from 1 /);
    expect(page(1)).toMatch(/Median hours from pull request… 20 hours none before /);
    // The grid: the positioned number first, then reading order, two by two.
    expect(page(2)).toMatch(
      /^Commits this month 5 commits .* Median hours from pull request opened to merged 20 hours .* Lines changed per language .* Pull requests opened by size/,
    );
    // The pie's legend: largest first (ties by name), each with its share.
    expect(page(2)).toContain('L — 33.3% M — 33.3% XS — 33.3% S — 0% XL — 0%');
    // Tables under their real column names.
    expect(page(3)).toContain('Lines added by developer Developer Lines bo 100 ann 35 cat 1');
    expect(page(3)).toContain('This widget could not be rendered: widget 7: type: unknown widget type');
    expect(page(3)).toContain('widget 8: metric: unknown metric "happiness"');
    // The charts' values as text, under the chart's value heading.
    expect(page(4)).toMatch(/^The values of the charts Lines changed per language \(vendored and… Lines TypeScript 160 Go 27 SQL 5 Python 2 /);
    expect(page(4)).toContain('Commits per day Commits 2026-03-01 0 2026-03-02 2 2026-03-03 1');
  });

  it('PDF pages as images (pdftoppm): nothing drawn off the page or into its edge, no page blank', async (ctx) => {
    try {
      execFileSync('pdftoppm', ['-v'], { stdio: 'ignore' });
    } catch {
      ctx.skip(); // poppler-utils is not installed (.ci/run installs it)
    }
    const r = await runCustomReport(w.db.orm.em.fork(), reportId, 'pdf', w.dir, now);
    const out = await mkdtemp(join(tmpdir(), 'aexy-pages-'));
    try {
      // 36 dpi greyscale PGM: A4 landscape is 421 × 298 pixels.
      execFileSync('pdftoppm', ['-r', '36', '-gray', r.path, join(out, 'p')]);
      const files = (await readdir(out)).sort();
      expect(files).toHaveLength(4);
      for (const f of files) {
        const pgm = await readFile(join(out, f));
        const [magic, w, h, max] = pgm.subarray(0, 20).toString('latin1').split(/\s+/);
        expect([magic, max]).toEqual(['P5', '255']);
        const width = Number(w);
        const height = Number(h);
        expect([width, height]).toEqual([421, 298]);
        const pixels = pgm.subarray(pgm.length - width * height);
        let ink = 0;
        let edge = 0;
        const band = 8; // about 16 pt: the header starts 20 pt from the top, the footer ends 18 pt from the bottom, the margins are 36 pt
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++) {
            const dark = pixels[y * width + x]! < 200;
            if (!dark) continue;
            ink++;
            if (x < band || y < band || x >= width - band || y >= height - band) edge++;
          }
        }
        expect(edge, `${f}: pixels drawn in the page's edge`).toBe(0);
        expect(ink, `${f}: a blank page`).toBeGreaterThan(200);
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('CSV and JSON carry the same values as the metrics', async () => {
    const csv = await runCustomReport(w.db.orm.em.fork(), reportId, 'csv', w.dir, now);
    const rows = parse(await readFile(csv.path, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.find((r) => r.widget === 'Commits this month')).toMatchObject({ metric: 'commits', value: '5', unit: 'commits' });
    expect(rows.filter((r) => r.widget === 'Commits per day')).toHaveLength(30);
    expect(rows.filter((r) => r.widget === 'Commits per day').reduce((s, r) => s + Number(r.value), 0)).toBe(5);
    expect(rows.find((r) => r.widget === 'Widget 7')!.error).toMatch(/unknown widget type/);

    const json = await runCustomReport(w.db.orm.em.fork(), reportId, 'json', w.dir, now);
    const data = JSON.parse(await readFile(json.path, 'utf8'));
    expect(data.report.name).toBe('March engineering review');
    expect(data.widgets[3].items).toEqual([
      { label: 'XS', value: 1 },
      { label: 'S', value: 0 },
      { label: 'M', value: 1 },
      { label: 'L', value: 1 },
      { label: 'XL', value: 0 },
    ]);
    expect(data.widgets[5].items).toEqual([
      { label: 'bo', value: 100 },
      { label: 'ann', value: 35 },
      { label: 'cat', value: 1 },
    ]);
  });

  it('widgets that read the same commits read them once: one statement of aggregates for the window, one for the window before', async () => {
    const report = {
      id: 'r',
      name: 'One scan',
      description: null,
      organization_id: METRICS_ORG,
      creator_id: null,
      filters: { date_range: { start: '2026-03-01', end: '2026-03-31' } },
      widgets: [
        { type: 'number', metric: 'commits' },
        { type: 'number', metric: 'lines_added' },
        { type: 'number', metric: 'weekend_share' },
        { type: 'number', metric: 'after_hours_share' },
        { type: 'line', metric: 'commits', config: { group_by: 'day' } },
        { type: 'table', metric: 'lines_deleted', config: { group_by: 'developer' } },
      ],
    };
    const sent: string[] = [];
    const recording = { query: (text: string, values: unknown[]) => (sent.push(text), w.db.sql.query(text, values)) } as unknown as pg.Pool;
    const data = await buildReportData(recording, report, now);
    // Statements scanning the window's commits, other than a line's buckets or a value per person (both `unnest`).
    expect(sent.filter((t) => /FROM counted_commits(_wide)? c WHERE/.test(t) && !t.includes('unnest('))).toHaveLength(2);
    // The values (and the window before) as each metric alone gives them.
    const filters = { organization_id: METRICS_ORG, date_range: { start: '2026-03-01T00:00:00.000Z', end: '2026-03-31T00:00:00.000Z' } };
    const before = { ...filters, date_range: { start: '2026-01-30T00:00:00.000Z', end: '2026-03-01T00:00:00.000Z' } };
    const names = ['commits', 'lines_added', 'weekend_share', 'after_hours_share'];
    const alone = await computeMetrics(w.db.sql, names, filters, now);
    const previous = await computeMetrics(w.db.sql, names, before, now);
    for (const [i, name] of names.entries()) {
      expect(data.widgets[i]).toMatchObject({
        metric: name,
        value: (alone[name] as { value: number }).value,
        previous: (previous[name] as { value: number }).value,
      });
    }
    expect(data.widgets[0]).toMatchObject({ value: 5 });
    expect(data.widgets[4]!.items!.reduce((s, p) => s + p.value, 0)).toBe(5);
    expect(data.widgets[5]!.items!.reduce((s, i) => s + i.value, 0)).toBe(58);
  });

  it('bad filters fail the report with a clear error; the CLI reports it', async () => {
    const bad = await w.rows.customReport({ name: 'Bad', filters: { team_ids: ['nope'] } });
    await expect(runCustomReport(w.db.orm.em.fork(), bad, 'json', w.dir, now)).rejects.toThrow(
      'Report "Bad" has invalid filters: team_ids.0: must be team UUIDs',
    );
    const env = { DATABASE_URL: w.db.url, EXPORT_DIR: w.dir, LOG_LEVEL: 'silent' };
    const ok = await runCliProcess(['report', 'run', reportId, '--format', 'json'], env);
    expect(ok.stdout).toMatch(/report "March engineering review": 6 widgets rendered → .*\.json \(\d+ bytes\)/);
    expect(ok.stdout).toContain('! widget 7: type: unknown widget type');
    const missing = await runCliProcess(['report', 'run', '00000000-0000-4000-8000-000000000000'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Custom report 00000000-0000-4000-8000-000000000000 does not exist');
  });

  it('metric names from Object.prototype are unknown metrics: one error block each, the rest renders', async () => {
    const widgets = ['constructor', '__proto__', 'toString', 'hasOwnProperty']
      .map((metric) => ({ type: 'number', metric }))
      .concat([{ type: 'number', metric: 'commits' }]);
    const id = await w.rows.customReport({ name: 'Prototype', organization_id: METRICS_ORG, widgets });
    const out = await runCustomReport(w.db.orm.em.fork(), id, 'json', w.dir, now);
    const rendered = out.data.widgets as { type: string; error?: string }[];
    expect(rendered.slice(0, 4).map((w) => w.error)).toEqual([
      'widget 1: metric: unknown metric "constructor"',
      'widget 2: metric: unknown metric "__proto__"',
      'widget 3: metric: unknown metric "toString"',
      'widget 4: metric: unknown metric "hasOwnProperty"',
    ]);
    expect(rendered[4]).toMatchObject({ type: 'number' });
    await expect(computeMetrics(w.db.sql, ['constructor'], {})).rejects.toThrow('Unknown metric(s): constructor');
  });

  it('bounds: at most 100 widgets, 366 points per line chart and 3,000 per report, each with a clear error', async () => {
    const widgets = [
      { type: 'line', metric: 'commits', config: { group_by: 'day' } },
      ...Array.from({ length: 9 }, () => ({ type: 'line', metric: 'commits', config: { group_by: 'week' } })),
      ...Array.from({ length: 95 }, () => ({ type: 'number', metric: 'commits' })),
    ];
    const filters = { date_range: { start: '2020-01-01', end: '2026-12-31' } };
    const id = await w.rows.customReport({ name: 'Huge', organization_id: METRICS_ORG, widgets, filters });
    const out = await runCustomReport(w.db.orm.em.fork(), id, 'json', w.dir, now);
    const rendered = out.data.widgets as { type: string; error?: string; items?: unknown[] }[];
    expect(rendered).toHaveLength(105);
    // 2020-01-01 up to 2026-12-31 by day: 2,556 points.
    expect(rendered[0]!.error).toBe('widget 1: a line chart shows at most 366 points; this window by day has 2,556: narrow date_range or group by week');
    // By week, 366 points each: 8 charts fit in 3,000 points, the 9th does not.
    expect(rendered.slice(1, 9).every((w) => w.type === 'line' && w.items!.length === 366)).toBe(true);
    expect(rendered[9]!.error).toMatch(/^widget 10: the report's line charts would have more than 3,000 points together/);
    expect(rendered.slice(10, 100).every((w) => w.type === 'number')).toBe(true);
    expect(rendered.slice(100).map((w) => w.error)).toEqual([101, 102, 103, 104, 105].map((n) => `widget ${n}: a report shows at most 100 widgets`));
  }, 120_000);
});
