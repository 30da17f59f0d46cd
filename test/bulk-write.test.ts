import { describe, expect, it } from 'vitest';
import { copyText } from '../src/db/copy-load.js';
import { upsertCommits, type CommitRow } from '../src/github/sql/writers.js';
import { useTestWorld } from './hooks.js';

/**
 * The sync's commit write path: COPY straight into commits and commit_graph, or, when a commit of
 * the chunk is stored already, the chunk upserted through a load table. Whatever the path, the rows
 * are what was given, byte for byte, once.
 */
describe('the bulk commit write path', () => {
  const w = useTestWorld();
  const q = async <T>(text: string, params: unknown[] = []): Promise<T[]> => (await w.db.sql.query(text, params)).rows as T[];

  let n = 0;
  const commit = (over: Partial<CommitRow & { developer_id: string | null }> = {}): CommitRow & { developer_id: string | null } => {
    n += 1;
    const sha = n.toString(16).padStart(40, 'c');
    return {
      sha,
      developer_id: null,
      author_github_id: null,
      repository_name: 'bulk',
      repository_full_name: 'acme/bulk',
      message: `work ${n}`,
      additions: n,
      deletions: 1,
      files_changed: 1,
      files: [{ path: `src/f${n}.ts`, additions: n, deletions: 1, language: 'TypeScript' }],
      languages: { TypeScript: n + 1 },
      committed_at: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
      parent_shas: [(n + 1000).toString(16).padStart(40, 'a')],
      author_name: `Dev ${n}`,
      author_email: `dev${n}@bulk.example`,
      committer_email: 'noreply@github.com',
      committer_date: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
      coauthors: [],
      ...over,
    };
  };
  const write = (rows: ReturnType<typeof commit>[]) => w.db.orm.em.fork().transactional((tx) => upsertCommits(tx, rows));
  const stored = (shas: string[]) =>
    q<{
      sha: string;
      developer_id: string | null;
      message: string;
      files: unknown;
      languages: unknown;
      parent_shas: string[];
      is_merge: boolean;
      author_name: string;
    }>(
      `SELECT c.sha, c.developer_id, c.message, c.files, c.languages, g.parent_shas, g.is_merge, g.author_name
         FROM commits c JOIN commit_graph g USING (sha) WHERE c.sha = ANY($1::text[]) ORDER BY c.sha`,
      [shas],
    );

  it("encodes COPY's text format: null, backslash, newline, carriage return, tab; objects as JSON", () => {
    expect(copyText(null)).toBe('\\N');
    expect(copyText('\\N')).toBe('\\\\N');
    expect(copyText('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    // JSON's own escape (\t) has its backslash escaped for COPY.
    expect(copyText({ a: 'x\ty' })).toBe('{"a":"x\\\\ty"}');
    expect(copyText(7)).toBe('7');
  });

  it('new commits: every value stored exactly, text that COPY would read as markup included', async () => {
    const dev = { id: await w.rows.developer({ login: 'bulk' }) };
    const hostile = 'a tab\there, a newline\nthere, \\N, a backslash \\ and \\t, "quotes", \r, ünïcødé 🎉, end\\';
    const rows = [
      commit({ message: hostile, author_name: 'Tab\tName\\', developer_id: dev!.id }),
      commit({
        files: [{ path: 'dir\\with\ttab/and\nnewline.ts', additions: 2, deletions: 0, language: null }],
        parent_shas: ['1'.repeat(40), '2'.repeat(40)],
      }),
      commit({ message: null }),
    ];
    const written = await write(rows);
    expect(written).toEqual(rows.map((r) => ({ sha: r.sha, developer_id: r.developer_id })));
    const got = await stored(rows.map((r) => r.sha));
    expect(got).toEqual(
      rows.map((r) => ({
        sha: r.sha,
        developer_id: r.developer_id,
        message: r.message,
        files: r.files,
        languages: r.languages,
        parent_shas: r.parent_shas,
        is_merge: r.parent_shas.length > 1,
        author_name: r.author_name,
      })),
    );
    // Compared by the database too, not only by what the driver hands back.
    const [same] = await q<{ ok: boolean }>(`SELECT message = $1 AS ok FROM commits WHERE sha = $2`, [hostile, rows[0]!.sha]);
    expect(same!.ok).toBe(true);
  });

  it('a chunk holding commits stored already: the new ones inserted, an unattributed one attributed, nothing doubled, the rest untouched', async () => {
    const dev = { id: await w.rows.developer({ login: 'later' }) };
    const old = [commit(), commit()];
    await write(old);
    const [before] = await q<{ created_at: Date }>(`SELECT created_at FROM commits WHERE sha = $1`, [old[1]!.sha]);
    const fresh = [commit(), commit()];
    // old[0] comes again now attributed; old[1] again with another message (a commit never changes: kept as stored).
    const written = await write([{ ...old[0]!, developer_id: dev!.id }, { ...old[1]!, message: 'rewritten?' }, ...fresh]);
    expect(new Set(written.map((r) => r.sha))).toEqual(new Set([old[0]!.sha, ...fresh.map((f) => f.sha)]));
    const got = await stored([...old, ...fresh].map((r) => r.sha));
    expect(got.map((r) => [r.sha, r.developer_id, r.message])).toEqual(
      [[old[0]!.sha, dev!.id, old[0]!.message], [old[1]!.sha, null, old[1]!.message], ...fresh.map((f) => [f.sha, null, f.message])].sort((a, b) =>
        String(a[0]).localeCompare(String(b[0])),
      ),
    );
    const [after] = await q<{ created_at: Date }>(`SELECT created_at FROM commits WHERE sha = $1`, [old[1]!.sha]);
    expect(after!.created_at).toEqual(before!.created_at);
    const [counts] = await q<{ c: number; g: number }>(
      `SELECT (SELECT count(*) FROM commits WHERE sha = ANY($1::text[]))::int AS c, (SELECT count(*) FROM commit_graph WHERE sha = ANY($1::text[]))::int AS g`,
      [[...old, ...fresh].map((r) => r.sha)],
    );
    expect(counts).toEqual({ c: 4, g: 4 });
  });

  it('a revert names the commit it reverts, on either path', async () => {
    const target = commit();
    const revert = commit({ message: `Revert "work"\n\nThis reverts commit ${target.sha}.` });
    await write([target, revert]);
    await write([revert, commit({ message: `Revert again\n\nThis reverts commit ${revert.sha}.` })]);
    const rows = await q<{ sha: string; reverted_sha: string }>(
      `SELECT sha, reverted_sha FROM commit_reverts WHERE reverted_sha = ANY($1::text[]) ORDER BY sha`,
      [[target.sha, revert.sha]],
    );
    expect(rows.map((r) => r.reverted_sha).sort()).toEqual([target.sha, revert.sha].sort());
  });

  it('two transactions writing the same new chunk at once: the second waits for the first, then stores nothing twice', async () => {
    const rows = [commit(), commit(), commit()];
    const emA = w.db.orm.em.fork();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let copied!: () => void;
    const aCopied = new Promise<void>((r) => (copied = r));
    const a = emA.transactional(async (tx) => {
      const out = await upsertCommits(tx, rows);
      copied();
      await held;
      return out;
    });
    await aCopied;
    // B's COPY meets A's uncommitted rows in the unique index and waits on A's transaction.
    const b = write(rows);
    await waitFor(async () => {
      const [r] = await q<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'COPY commits%'`,
      );
      return r!.n === 1;
    });
    release();
    const [fromA, fromB] = await Promise.all([a, b]);
    expect(fromA.map((r) => r.sha)).toEqual(rows.map((r) => r.sha));
    expect(fromB).toEqual([]);
    const [counts] = await q<{ c: number; g: number }>(
      `SELECT (SELECT count(*) FROM commits WHERE sha = ANY($1::text[]))::int AS c, (SELECT count(*) FROM commit_graph WHERE sha = ANY($1::text[]))::int AS g`,
      [rows.map((r) => r.sha)],
    );
    expect(counts).toEqual({ c: 3, g: 3 });
  });

  it('outside a transaction it refuses, naming what it needs', async () => {
    await expect(upsertCommits(w.db.orm.em.fork(), [commit()])).rejects.toThrow(/inside a transaction/);
  });
});

/** Polls a condition on the database (an event of another session, which no callback announces). */
async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the condition never held');
}
