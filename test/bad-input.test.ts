import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PDFParse } from 'pdf-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../src/jobs/handler.js';
import { fakeSha, GitHubStandIn } from '../src/dev/github-stand-in.js';
import { MAX_PAYLOAD_BYTES } from '../src/queues/payload.js';
import { runCustomReport } from '../src/reports/run.js';
import { JOBS } from '../src/workers/handlers.js';
import { githubSyncDeveloper, githubSyncRepo, systemNoop } from '../src/jobs/index.js';
import { useTestWorld } from './hooks.js';
import { alice, at, bob, makePull } from './helpers/github-data.js';
import { spawnTs } from './helpers/spawn.js';

// An upstream error that quotes its whole input (as a database error quotes its statement).
const hugeError = defineJob({
  name: 'test.huge-error',
  queue: 'system',
  schema: z.object({}),
  options: { attempts: 1 },
  async process() {
    throw new Error(`INSERT INTO commits VALUES ('${'q'.repeat(1_000_000)}')`);
  },
});

/** The README's "bad input" table, row by row: each case gets a clear error and loses nothing. */
describe('bad input', () => {
  let gh: GitHubStandIn;

  const tricky = `fix: ünïcödé Ωμέγα Привет 日本語 🚀 \u202Eevil\u202C\u0000 tail \uD800 end`;
  const trickyStored = `fix: ünïcödé Ωμέγα Привет 日本語 🚀 \u202Eevil\u202C tail \uFFFD end`;
  const sqlish = "Robert'); DROP TABLE pull_requests;--";

  beforeAll(async () => {
    gh = await new GitHubStandIn().start();
    gh.users.set('alice', alice);
    gh.users.set('zed', { id: 1099, login: 'zed', name: 'Z'.repeat(300), company: 'Ünïcode GmbH\u0000', location: '東京', bio: 'b'.repeat(100_000) });
    const commit = (n: number, message: string, files = [{ filename: 'src/a.go', additions: 1, deletions: 0 }]) => ({
      sha: fakeSha(`weird-${n}`),
      message,
      author: alice,
      authorDate: at(n),
      committerDate: at(n),
      files,
    });
    gh.repos.set('acme/weird', {
      commits: [
        commit(1, tricky, [
          { filename: 'docs/日本語/😀.md', additions: 3, deletions: 0 },
          { filename: "src/o'brien; DROP TABLE commits;--.go", additions: 2, deletions: 1 },
        ]),
        commit(2, 'x'.repeat(1_000_000)),
        commit(3, 'plain'),
        // 9 MB: Octokit's own JSON parser overflows its stack on a body this large.
        commit(4, 'y'.repeat(9_000_000)),
      ],
      pulls: [
        makePull(1, alice, bob, {
          title: sqlish,
          body: 'body\u0000with a NUL',
          labels: ['🐛 bug', "it's"],
          reviews: [{ id: 77, user: bob, state: 'APPROVED', body: 'LGTM 👍\u0000', submitted_at: at(3) }],
        }),
      ],
    });
  });
  afterAll(async () => {
    await gh?.stop();
  });
  const w = useTestWorld({
    harness: [...JOBS, hugeError],
    settings: () => ({
      GITHUB_API_URL: gh.url,
      GITHUB_COMMITS_FROM: 'api',
      GITHUB_TOKEN: gh.token,
      GITHUB_SYNC_INITIAL_DAYS: '0',
      GITHUB_RETRY_BASE_MS: '10',
    }),
  });

  it('payloads: oversized or unserialisable ones are refused at enqueue, and nothing reaches Redis', async () => {
    await expect(w.h.pool.producer.enqueue(systemNoop, { note: 'x'.repeat(100_000) })).rejects.toThrow(
      `Invalid payload for job "system.noop": (root): the payload is 100011 bytes of JSON, over the ${MAX_PAYLOAD_BYTES}-byte limit; pass ids and let the worker load the data`,
    );
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(w.h.pool.producer.enqueue(systemNoop, circular as never)).rejects.toThrow(
      /^Invalid payload for job "system.noop": \(root\): the payload is not JSON-serialisable \(Converting circular structure/,
    );
    expect(await w.h.reader('system').count()).toBe(0);
  });

  it('payloads: an oversized one written around the producer fails fast in the worker, once, and stays inspectable', async () => {
    const raw = await w.h.reader('system').add('system.noop', { note: 'y'.repeat(70_000) }, { attempts: 5 });
    const done = await w.h.settle(raw);
    expect(await done.getState()).toBe('failed');
    expect(done.attemptsMade).toBe(1); // UnrecoverableError: no retries of a payload that cannot change
    expect(done.failedReason).toMatch(/over the 65536-byte limit/);
    expect(done.data.note).toHaveLength(70_000);
  });

  it("a 9 MB commit body is parsed in a worker-like process (Octokit's own parser overflows its stack and returns text)", async () => {
    const r = await spawnTs('test/fixtures/fetch-huge-commit.ts', [], {
      DATABASE_URL: w.db.url,
      REDIS_URL: w.config.REDIS_URL,
      QUEUE_PREFIX: w.config.QUEUE_PREFIX,
    }).finished;
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`object ${fakeSha('huge')} 9000000`);
  }, 60_000);

  it('an error quoting a 1 MB value is clipped before it reaches logs, Redis and Bull Board', async () => {
    const done = await w.h.settle(await w.h.pool.producer.enqueue(hugeError, {}));
    expect(done.failedReason).toHaveLength(2_000 + '… [998031 more characters]'.length);
    expect(done.failedReason).toMatch(/^INSERT INTO commits VALUES \('q+… \[998031 more characters\]$/);
    expect(done.stacktrace?.[0]).toMatch(/^Error: INSERT INTO commits VALUES \('q+… \[998031 more characters\]\n\s+at /);
  });

  it('GitHub text: NULs, broken surrogates, 1 MB and 9 MB messages, unicode paths and SQL-looking titles are stored safely, and nothing else is lost', async () => {
    const done = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncRepo, { repository: 'acme/weird' }));
    expect(done.failedReason).toBeUndefined();
    expect(done.returnvalue).toMatchObject({ commits: { fetched: 4, written: 4 }, pulls: { written: 1, reviews: 1 } });

    const { rows: commits } = await w.db.sql.query(`SELECT message, files FROM commits ORDER BY committed_at`);
    expect(commits[0].message).toBe(trickyStored);
    expect(commits[0].files.map((f: { path: string }) => f.path)).toEqual(['docs/日本語/😀.md', "src/o'brien; DROP TABLE commits;--.go"]);
    expect(commits[1].message).toHaveLength(65_536);
    expect(commits[1].message).toMatch(/^x{65000,}… \[truncated from 1000000 characters\]$/);
    expect(commits[2].message).toBe('plain');
    expect(commits[3].message).toMatch(/^y{65000,}… \[truncated from 9000000 characters\]$/);

    const { rows: pulls } = await w.db.sql.query(`SELECT title, body, labels FROM pull_requests`);
    expect(pulls).toEqual([{ title: sqlish, body: 'bodywith a NUL', labels: ['🐛 bug', "it's"] }]);
    expect((await w.db.sql.query(`SELECT body FROM code_reviews`)).rows).toEqual([{ body: 'LGTM 👍' }]);
  });

  it('GitHub profile: over-long VARCHAR(255) fields are cut to fit instead of failing the sync', async () => {
    const done = await w.h.settle(await w.h.pool.producer.enqueue(githubSyncDeveloper, { login: 'zed' }));
    expect(done.failedReason).toBeUndefined();
    const { rows } = await w.db.sql.query(`SELECT name, company, location, length(bio) AS bio FROM developers WHERE github_username = 'zed'`);
    expect(rows[0].name).toHaveLength(255);
    expect(rows[0].name).toMatch(/^Z+… \[truncated from 300 characters\]$/);
    expect(rows[0]).toMatchObject({ company: 'Ünïcode GmbH', location: '東京', bio: 65_536 });
  });

  it('unicode in a PDF report: an embedded font, so the text is not mojibake; glyphs it lacks print as U+FFFD', async () => {
    const reportId = await w.rows.customReport({
      organization_id: randomUUID(),
      name: 'Überblick Ωμέγα Привет 日本 🚀',
      description: sqlish,
      widgets: [{ type: 'table', metric: 'commits', config: { title: 'Commits — ünïcödé' } }],
    });
    const r = await runCustomReport(w.db.orm.em.fork(), reportId, 'pdf', w.dir, new Date('2026-09-30T00:00:00Z'));
    const parser = new PDFParse({ data: new Uint8Array(await readFile(r.path)) });
    const { text } = await parser.getText();
    await parser.destroy();
    // DejaVu has no CJK or emoji glyphs: those print as U+FFFD, never as invisible glyph 0.
    expect(text).toContain('Überblick Ωμέγα Привет \uFFFD\uFFFD \uFFFD');
    expect(text).not.toContain('\u0000');
    expect(text).toContain(sqlish);
    expect(text).toContain('Commits — ünïcödé');
  });
});
