import { describe, expect, it } from 'vitest';
import { upsertDevelopers } from '../src/people/index.js';
import { useTestWorld } from './hooks.js';

/** Developers by GitHub id: what every sync chunk asks for its authors, mostly accounts it has seen before. */
describe('developers upserted by GitHub id', () => {
  const w = useTestWorld();
  const q = async <T>(text: string, params: unknown[] = []): Promise<T[]> => (await w.db.sql.query(text, params)).rows as T[];
  const upsert = (users: Parameters<typeof upsertDevelopers>[1]) => w.db.orm.em.fork().transactional((tx) => upsertDevelopers(tx, users));
  const row = async (githubId: number) =>
    (
      await q<{ id: string; github_username: string; avatar_url: string | null; version: string }>(
        `SELECT id, github_username, avatar_url, xmin::text AS version FROM developers WHERE github_id = $1`,
        [githubId],
      )
    )[0];

  it('an account stored as given is only read: no row version written, no row lock held while its transaction is open', async () => {
    const first = await upsert([{ github_id: 7001, github_username: 'ada', avatar_url: 'https://avatars.example/ada' }]);
    const before = (await row(7001))!;
    expect(first.get(7001)).toBe(before.id);

    // The same account again (avatar unknown this time, as a commit list without it gives): inside a
    // transaction left open, another connection updates the row at once (a held lock fails it).
    const em = w.db.orm.em.fork();
    await em.begin();
    try {
      const again = await upsertDevelopers(em, [
        { github_id: 7001, github_username: 'ada', avatar_url: null },
        { github_id: 7001, github_username: 'ada', avatar_url: 'https://avatars.example/ada' },
      ]);
      expect(again).toEqual(new Map([[7001, before.id]]));
      const other = await w.db.sql.connect();
      try {
        await other.query(`BEGIN; SET LOCAL lock_timeout = '2s'`);
        await other.query(`UPDATE developers SET bio = 'written beside the open sync' WHERE github_id = 7001`);
      } finally {
        await other.query('ROLLBACK');
        other.release();
      }
    } finally {
      await em.rollback();
    }
    expect((await row(7001))!.version).toBe(before.version);
  });

  it('a renamed login, a new avatar and a login taken by another account are written; a missing avatar keeps the stored one', async () => {
    await upsert([{ github_id: 7101, github_username: 'bo', avatar_url: 'https://avatars.example/bo-1' }]);
    const id = (await row(7101))!.id;

    await upsert([{ github_id: 7101, github_username: 'bo-renamed', avatar_url: null }]);
    expect(await row(7101)).toMatchObject({ id, github_username: 'bo-renamed', avatar_url: 'https://avatars.example/bo-1' });

    await upsert([{ github_id: 7101, github_username: 'bo-renamed', avatar_url: 'https://avatars.example/bo-2' }]);
    expect(await row(7101)).toMatchObject({ id, avatar_url: 'https://avatars.example/bo-2' });

    // Another account now has the login: the old row is parked on `login~id`, the new one gets it.
    const ids = await upsert([{ github_id: 7102, github_username: 'bo-renamed', avatar_url: null }]);
    expect(await q(`SELECT id, github_id::int, github_username FROM developers WHERE github_id IN (7101, 7102) ORDER BY github_id`)).toEqual([
      { id, github_id: 7101, github_username: 'bo-renamed~7101' },
      { id: ids.get(7102), github_id: 7102, github_username: 'bo-renamed' },
    ]);
  });
});
