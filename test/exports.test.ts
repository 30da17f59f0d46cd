import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Job } from 'bullmq';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { requestExport } from '../src/exports/request.js';
import { FORMULA_SQL_PATTERN, textColumn } from '../src/exports/definitions.js';
import { FORMULA_FIRST_CHARS, FORMULA_PATTERN, neutraliseFormula } from '../src/lib/spreadsheet-safe.js';
import { exportCleanup, exportProcess } from '../src/jobs/index.js';
import { useTestWorld } from './hooks.js';
import { runCliProcess } from './helpers/spawn.js';

const ORG = '5d5d5d5d-6e6e-4f7f-8a8a-9b9b9b9b9b9b';

describe('export jobs', () => {
  const w = useTestWorld({ settings: { EXPORT_TTL_HOURS: '24', EXPORT_ORPHAN_MINUTES: '1' }, harness: true });
  const devs: Record<string, string> = {};

  beforeAll(async () => {
    // The fixture's teams are smaller than the default group size (3): their numbers are shown here (withholding is policy.test.ts's).
    for (const org of [ORG]) await w.rows.insert('organization_policies', { organization_id: org, min_group_size: 1 });
    for (const [i, login] of ['ana', 'ben', 'cy'].entries()) {
      devs[login] = await w.rows.developer({ githubId: 100 + i, login, skills: ['go', 'sql'] });
    }
    await w.rows.team({ name: 'Core', organizationId: ORG, developerIds: [devs.ana!, devs.ben!] });
    await w.rows.team({ name: 'Web', organizationId: ORG, developerIds: [devs.cy!] });
    // The organization's repository: its work is what the organization's exports hold.
    await w.rows.trackedRepository({ fullName: 'acme/api', organizationId: ORG });
    // 2,500 commits, with the awkward cases a CSV must survive.
    const messages = [
      '=HYPERLINK("http://evil.example","click")',
      '+cmd|calc',
      '-2+3',
      '@SUM(A1:A2)',
      'comma, "quotes"\nand a newline',
      'ünïcödé ✓ 日本語',
      "Robert'); DROP TABLE commits;--",
    ];
    await w.db.sql.query(
      `INSERT INTO commits (sha, developer_id, repository_name, repository_full_name, message, additions, deletions, files_changed, languages, committed_at)
       SELECT md5(g::text) || substr(md5((g+1)::text), 1, 8), (ARRAY[$1, $2, $3]::uuid[])[1 + g % 3], 'api', 'acme/api',
              ($4::text[])[1 + g % 7], g % 100, g % 7, 1 + g % 4, jsonb_build_object('Go', g % 100), timestamptz '2026-01-01T00:00:00Z' + g * interval '1 hour'
         FROM generate_series(0, 2499) g`,
      [devs.ana, devs.ben, devs.cy, messages],
    );
  });

  async function runExport(request: Parameters<typeof requestExport>[2]): Promise<{ id: string; job: Job; row: Record<string, any> }> {
    // Of the fixture's organization unless the request says whose it is.
    const scoped = request.requestedBy ? request : { ...request, config: { organization_id: ORG, ...request.config } };
    const id = await requestExport(w.db.orm.em.fork(), w.h.pool.producer, scoped);
    const [job] = (await w.h.reader('exports').getJobs(['waiting', 'active', 'completed', 'failed', 'delayed'])).filter((j) => j.data.exportJobId === id);
    const done = await w.h.settle(job!);
    const { rows } = await w.db.sql.query(`SELECT * FROM export_jobs WHERE id = $1`, [id]);
    return { id, job: done, row: rows[0] };
  }

  it('commits → CSV: streamed to a file, equal to an independent query, formulas neutralised', async () => {
    const { id, row, job } = await runExport({ exportType: 'commits', format: 'csv', config: { developer_ids: [devs.ana!] } });
    expect(row).toMatchObject({ status: 'completed', error_message: null, file_path: join(w.dir, `commits-${id}.csv`) });
    expect(Number(row.file_size_bytes)).toBeGreaterThan(0);
    expect(row.completed_at).toBeInstanceOf(Date);
    expect(row.expires_at.getTime() - row.completed_at.getTime()).toBeCloseTo(24 * 3_600_000, -4);
    expect(job.progress).toMatchObject({ rows: 834, total: 834, percent: 100 });

    const text = await readFile(row.file_path, 'utf8');
    expect(Buffer.byteLength(text)).toBe(Number(row.file_size_bytes));
    const records = parse(text, { columns: true }) as Record<string, string>[];
    const { rows: expected } = await w.db.sql.query(`SELECT sha, message, additions FROM commits WHERE developer_id = $1 ORDER BY committed_at, sha`, [
      devs.ana,
    ]);
    expect(records).toHaveLength(expected.length);
    expect(records.map((r) => r.sha)).toEqual(expected.map((e) => e.sha));
    expect(records.map((r) => r.message)).toEqual(expected.map((e) => neutraliseFormula(e.message)));
    expect(records.map((r) => Number(r.additions))).toEqual(expected.map((e) => e.additions));
    expect(records.every((r) => r.developer === 'ana')).toBe(true);
    // The dangerous ones are inert, the rest untouched.
    expect(records.find((r) => r.message!.includes('HYPERLINK'))!.message).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(records.find((r) => r.message!.includes('日本語'))!.message).toBe('ünïcödé ✓ 日本語');
    expect(records.find((r) => r.message!.startsWith('comma'))!.message).toBe('comma, "quotes"\nand a newline');
    expect((await readdir(w.dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('commits → JSON over a date range and a team: the same rows as SQL', async () => {
    const { row } = await runExport({
      exportType: 'commits',
      format: 'json',
      config: {
        team_ids: [(await w.db.sql.query(`SELECT id FROM teams WHERE name = 'Core'`)).rows[0].id],
        date_range: { start: '2026-01-10', end: '2026-01-20' },
      },
    });
    const data = JSON.parse(await readFile(row.file_path, 'utf8')) as Record<string, unknown>[];
    const { rows: expected } = await w.db.sql.query(
      `SELECT sha, message, languages FROM commits WHERE developer_id = ANY($1::uuid[]) AND committed_at >= '2026-01-10' AND committed_at < '2026-01-20'
        ORDER BY committed_at, sha`,
      [[devs.ana, devs.ben]],
    );
    expect(data.length).toBe(expected.length);
    expect(data.length).toBeGreaterThan(100);
    expect(data.map((d) => [d.sha, d.message, d.languages])).toEqual(expected.map((e) => [e.sha, e.message, e.languages]));
    expect(data[0]!.committed_at).toMatch(/^2026-01-1\dT\d\d:00:00Z$/);
  });

  it('CSV (COPY, parameters bound through set_config) equals JSON (cursor) for every filter kind, formulas aside', async () => {
    await w.db.sql.query(`UPDATE commits SET message = E'\\tTAB=1+1' WHERE sha = (SELECT min(sha) FROM commits WHERE developer_id = $1)`, [devs.ben]);
    await w.db.sql.query(`UPDATE commits SET message = E'\\rCR' WHERE sha = (SELECT max(sha) FROM commits WHERE developer_id = $1)`, [devs.ben]);
    const filters = {
      team_ids: [(await w.db.sql.query(`SELECT id FROM teams WHERE name = 'Core'`)).rows[0].id],
      developer_ids: [devs.cy!],
      date_range: { start: '2026-01-02', end: '2026-03-20' },
      repository: 'acme/api',
    };
    const csv = await runExport({ exportType: 'commits', format: 'csv', config: filters });
    const json = await runExport({ exportType: 'commits', format: 'json', config: filters });
    const text = await readFile(csv.row.file_path, 'utf8');
    expect(text.split('\n')[0]).toBe('sha,developer,repository,message,additions,deletions,files_changed,languages,committed_at');
    const records = parse(text, { columns: true }) as Record<string, string>[];
    const rows = JSON.parse(await readFile(json.row.file_path, 'utf8')) as Record<string, unknown>[];
    expect(records.length).toBeGreaterThan(1000);
    expect(csv.job.progress).toMatchObject({ rows: records.length, total: records.length, percent: 100 });
    expect(records).toEqual(
      rows.map((r) => ({
        sha: r.sha,
        developer: r.developer,
        repository: r.repository,
        message: neutraliseFormula(r.message as string),
        additions: String(r.additions),
        deletions: String(r.deletions),
        files_changed: String(r.files_changed),
        languages: JSON.stringify(r.languages).replace(/,/g, ', ').replace(/":/g, '": '),
        committed_at: r.committed_at,
      })),
    );
    expect(records.filter((r) => r.message!.startsWith("'\t") || r.message!.startsWith("'\r")).map((r) => r.message)).toEqual(
      expect.arrayContaining(["'\tTAB=1+1", "'\rCR"]),
    );
  });

  it('team_metrics and developers exports aggregate correctly', async () => {
    const { row } = await runExport({ exportType: 'team_metrics', format: 'json' });
    const data = JSON.parse(await readFile(row.file_path, 'utf8'));
    const { rows } = await w.db.sql.query(
      `SELECT t.name, count(c.id)::int AS commits, coalesce(sum(c.additions), 0)::int AS additions
         FROM teams t LEFT JOIN commits c ON c.developer_id = ANY(t.developer_ids) GROUP BY t.name ORDER BY t.name`,
    );
    expect(data.map((d: any) => [d.team, d.commits, d.additions, d.members])).toEqual(
      rows.map((r) => [r.name, r.commits, r.additions, r.name === 'Core' ? 2 : 1]),
    );
    const devsCsv = await runExport({ exportType: 'developers', format: 'csv' });
    const records = parse(await readFile(devsCsv.row.file_path, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(records.map((r) => [r.github_username, r.skills])).toEqual([
      ['ana', 'go;sql'],
      ['ben', 'go;sql'],
      ['cy', 'go;sql'],
    ]);
  });

  it('bad requests are refused at once; a bad row fails with its error recorded, not a crash', async () => {
    await expect(requestExport(w.db.orm.em.fork(), w.h.pool.producer, { exportType: 'everything' as never, format: 'csv' })).rejects.toThrow(
      /exportType: must be one of commits, pull_requests/,
    );
    await expect(
      requestExport(w.db.orm.em.fork(), w.h.pool.producer, { exportType: 'commits', format: 'csv', config: { developer_ids: ["1' OR '1'='1"] } }),
    ).rejects.toThrow(/developer_ids.0: must be developer UUIDs/);
    // A row written by another producer with an unsupported format.
    const exportJobId = await w.rows.exportJob({ format: 'xlsx' });
    const job = await w.h.pool.producer.enqueue((await import('../src/jobs/index.js')).exportProcess, { exportJobId });
    const done = await w.h.settle(job);
    expect(done.attemptsMade).toBe(1);
    const { rows: after } = await w.db.sql.query(`SELECT status, error_message, file_path FROM export_jobs WHERE id = $1`, [exportJobId]);
    expect(after[0]).toEqual({ status: 'failed', error_message: 'Unsupported format "xlsx" for commits (supported: csv, json)', file_path: null });
  });

  it('aexy jobs retry of a failed export really redoes it (the row back to pending, every attempt again); a completed one is refused', async () => {
    const env = { DATABASE_URL: w.db.url, REDIS_URL: w.config.REDIS_URL, QUEUE_PREFIX: w.config.QUEUE_PREFIX, LOG_LEVEL: 'silent' };
    // A row a platform wrote with a format that cannot be made: it fails at once.
    const id = await w.rows.exportJob({ export_type: 'developers', format: 'xml', config: { organization_id: ORG } });
    const failed = await w.h.settle(await w.h.pool.producer.enqueue(exportProcess, { exportJobId: id }));
    expect(failed.failedReason).toBe('Unsupported format "xml" for developers (supported: csv, json)');
    expect((await w.db.sql.query(`SELECT status FROM export_jobs WHERE id = $1`, [id])).rows[0].status).toBe('failed');
    // The cause is mended (the platform rewrote the row), then the operator retries the job.
    await w.db.sql.query(`UPDATE export_jobs SET format = 'csv' WHERE id = $1`, [id]);
    const events = await w.h.events('exports');
    const done = new Promise<void>((resolve) => events.on('completed', ({ jobId }) => jobId === failed.id && resolve()));
    const retried = await runCliProcess(['jobs', 'retry', failed.id!, '--queue', 'exports'], env);
    expect(retried.stderr).toBe('');
    expect(retried.stdout.trim()).toBe(
      `export.process (job ${failed.id} on exports) queued again with all its attempts; it had failed after 1 attempt(s): Unsupported format "xml" for developers (supported: csv, json)`,
    );
    await done;
    const job = (await w.h.reader('exports').getJob(failed.id!))!;
    expect(job.returnvalue).toMatchObject({ exportJobId: id, rows: 3 });
    expect(job.attemptsMade).toBe(1); // counted from zero again
    const row = (await w.db.sql.query(`SELECT status, error_message, file_path FROM export_jobs WHERE id = $1`, [id])).rows[0];
    expect(row).toMatchObject({ status: 'completed', error_message: null });
    expect((await readFile(row.file_path, 'utf8')).split('\n')[0]).toBe('github_username,name,seniority_level,seniority_score,skills,last_activity_at');
    // A failed job whose export completed since (or is gone) is not retried: there is nothing to redo.
    const other = await w.rows.exportJob({ export_type: 'developers', format: 'xml', config: { organization_id: ORG } });
    const second = await w.h.settle(await w.h.pool.producer.enqueue(exportProcess, { exportJobId: other }));
    expect(second.failedReason).toMatch(/Unsupported format/);
    await w.db.sql.query(`UPDATE export_jobs SET status = 'completed' WHERE id = $1`, [other]);
    const refused = await runCliProcess(['jobs', 'retry', second.id!, '--queue', 'exports'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      `error: export.process (job ${second.id} on exports) not retried: export ${other} is completed: there is nothing to redo (request a new export)`,
    );
    expect(await (await w.h.reader('exports').getJob(second.id!))!.getState()).toBe('failed');
  }, 90_000);

  it('CLI: aexy export queues an export and --wait prints the file', async () => {
    const env = { DATABASE_URL: w.db.url, REDIS_URL: w.config.REDIS_URL, QUEUE_PREFIX: w.config.QUEUE_PREFIX, LOG_LEVEL: 'silent' };
    const r = await runCliProcess(['export', 'code_reviews', '--format', 'csv', '--organization', ORG, '--wait'], env);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/export [0-9a-f-]{36} queued \(code_reviews, csv\)/);
    expect(r.stdout).toMatch(new RegExp(`file: ${w.dir}/code_reviews-[0-9a-f-]{36}\\.csv \\(\\d+ bytes\\)`));
    const bad = await runCliProcess(['export', 'commits', '--format', 'xml'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Invalid export request: format: must be one of csv, json');
    // A window that is not a number of days is refused, not read as "all history".
    const before = (await w.db.sql.query(`SELECT count(*)::int AS n FROM export_jobs`)).rows[0].n;
    const refused = await Promise.all(['abc', '0'].map((days) => runCliProcess(['export', 'commits', '--format', 'csv', '--days', days], env)));
    for (const r of refused) {
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain("option '--days <n>' argument");
      expect(r.stderr).toContain('must be a whole number of days from 1 to 3650');
    }
    // The same parser in-process for the other shapes (each CLI process costs seconds on a busy machine).
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    try {
      for (const days of ['-3', '1.5', '99999', ' ']) {
        expect(await runCli(['export', 'commits', '--format', 'csv', '--days', days]), days).not.toBe(0);
      }
    } finally {
      spy.mockRestore();
    }
    expect(written.filter((w) => w.includes('must be a whole number of days from 1 to 3650'))).toHaveLength(4);
    expect((await w.db.sql.query(`SELECT count(*)::int AS n FROM export_jobs`)).rows[0].n).toBe(before);
  }, 90_000);

  it('report exports render a custom report (PDF) through the same life cycle', async () => {
    const reportId = await w.rows.customReport({
      organization_id: ORG,
      name: 'Export me',
      widgets: [{ type: 'number', metric: 'commits' }],
      filters: { date_range: { days: 3650 } },
    });
    const { row } = await runExport({ exportType: 'report', format: 'pdf', config: { report_id: reportId } });
    expect(row.status).toBe('completed');
    expect((await readFile(row.file_path)).subarray(0, 5).toString()).toBe('%PDF-');
    await expect(requestExport(w.db.orm.em.fork(), w.h.pool.producer, { exportType: 'report', format: 'pdf' })).rejects.toThrow(
      'config.report_id: is required for a report export',
    );
    await expect(requestExport(w.db.orm.em.fork(), w.h.pool.producer, { exportType: 'commits', format: 'pdf' })).rejects.toThrow(
      'format: must be one of csv, json',
    );
  });

  it('re-delivering a finished export does not redo it', async () => {
    const { id, row } = await runExport({ exportType: 'pull_requests', format: 'csv' });
    const job = await w.h.pool.producer.enqueue((await import('../src/jobs/index.js')).exportProcess, { exportJobId: id });
    const done = await w.h.settle(job);
    expect(done.returnvalue).toEqual({ exportJobId: id, skipped: 'already completed' });
    const { rows } = await w.db.sql.query(`SELECT completed_at FROM export_jobs WHERE id = $1`, [id]);
    expect(rows[0].completed_at).toEqual(row.completed_at);
  });

  it('the cleanup deletes expired files and re-queues exports stuck in pending', async () => {
    const { id, row } = await runExport({ exportType: 'developers', format: 'json' });
    await w.db.sql.query(`UPDATE export_jobs SET expires_at = now() - interval '1 minute' WHERE id = $1`, [id]);
    // A producer that crashed after its INSERT: pending, never queued.
    const orphan = await w.rows.exportJob({ export_type: 'code_reviews', config: { organization_id: ORG }, created_at: new Date(Date.now() - 10 * 60_000) });
    const cleanup = await w.h.settle(await w.h.pool.producer.enqueue(exportCleanup, {}));
    expect(cleanup.returnvalue).toEqual({ expired: 1, requeued: 1 });
    await expect(readFile(row.file_path)).rejects.toThrow(/ENOENT/);
    const { rows } = await w.db.sql.query(`SELECT status, file_path FROM export_jobs WHERE id = $1`, [id]);
    expect(rows[0]).toEqual({ status: 'expired', file_path: null });
    const [requeued] = (await w.h.reader('exports').getJobs(['waiting', 'active', 'completed'])).filter((j) => j.data.exportJobId === orphan);
    await w.h.settle(requeued!);
    const { rows: done } = await w.db.sql.query(`SELECT status FROM export_jobs WHERE id = $1`, [orphan]);
    expect(done[0].status).toBe('completed');
  });

  it('formula neutralisation sees through leading blanks and full-width signs, the same in SQL (CSV) and JS', async () => {
    const dangerous = [
      '=1+1',
      ' =1+1',
      '\u00a0=HYPERLINK("x")',
      '\u200b=1',
      '\ufeff@SUM(A1)',
      '\u3000+1',
      '＝1+1',
      '＋1',
      '－1',
      '＠SUM(A1)',
      '\n=1',
      '\nhello',
      '\thello',
      '\rhello',
      '  \t -2',
    ];
    const harmless = ['hello', 'a=b', '1+1', 'e-mail', ' hello', '\u00a0x', '‐1'];
    for (const v of dangerous) expect(neutraliseFormula(v), JSON.stringify(v)).toBe(`'${v}`);
    for (const v of harmless) expect(neutraliseFormula(v), JSON.stringify(v)).toBe(v);
    const { rows } = await w.db.sql.query(`SELECT v, v ~ '${FORMULA_SQL_PATTERN}' AS risky FROM unnest($1::text[]) AS v`, [[...dangerous, ...harmless]]);
    expect(rows.map((r) => [r.v, r.risky])).toEqual([...dangerous.map((v) => [v, true]), ...harmless.map((v) => [v, false])]);
    // The CSV column itself (a first-character check before the expression) gives what the JS rule gives.
    const cells = await w.db.sql.query(`SELECT ${textColumn('v', true)} AS cell FROM unnest($1::text[]) WITH ORDINALITY AS t(v, i) ORDER BY i`, [
      [...dangerous, ...harmless, '', null],
    ]);
    expect(cells.rows.map((r) => r.cell)).toEqual([...[...dangerous, ...harmless, ''].map(neutraliseFormula), null]);
  });

  it('the first characters that can open a formula are exactly those FORMULA_PATTERN starts with, over every UTF-16 code unit', () => {
    const opening: string[] = [];
    for (let c = 0; c <= 0xffff; c++) if (FORMULA_PATTERN.test(String.fromCharCode(c) + '=1')) opening.push(String.fromCharCode(c));
    expect(opening.length).toBeGreaterThan(30);
    expect([...FORMULA_FIRST_CHARS].sort()).toEqual(opening.sort());
  });
});
