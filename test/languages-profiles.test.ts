import { describe, expect, it } from 'vitest';
import { detectLanguage, isGenerated, isVendored } from '../src/github/api/languages.js';
import { frameworksFromPaths, seniority } from '../src/developers/evidence.js';
import { commitRow, pullRow, reviewRow } from '../src/github/sync/map.js';
import { pgArray } from '../src/db/sql.js';

describe('languages from Linguist data', () => {
  it.each([
    ['src/server/main.go', 'Go'],
    ['web/App.tsx', 'TSX'],
    ['lib/index.ts', 'TypeScript'],
    ['include/util.h', 'C'],
    ['README.md', 'Markdown'],
    ['crates/core/src/lib.rs', 'Rust'],
    ['db/schema.sql', 'SQL'],
    ['Dockerfile', 'Dockerfile'],
    ['Makefile', 'Makefile'],
    ['scripts/deploy.sh', 'Shell'],
    ['app/models/user.rb', 'Ruby'],
    ['ios/AppDelegate.m', 'Objective-C'],
    ['data.unknownext', null],
  ])('%s → %s', (path, lang) => {
    expect(detectLanguage(path)).toBe(lang);
  });

  it('flags vendored and generated files', () => {
    expect(isVendored('node_modules/react/index.js')).toBe(true);
    expect(isVendored('third_party/zlib/zlib.c')).toBe(true);
    expect(isVendored('static/app.min.js')).toBe(true);
    expect(isVendored('src/vendoring.ts')).toBe(false);
    expect(isGenerated('package-lock.json')).toBe(true);
    expect(isGenerated('api/v1/service.pb.go')).toBe(true);
    expect(isGenerated('src/lock.json')).toBe(false);
  });
});

describe('mapping GitHub JSON to rows', () => {
  it('a commit: languages exclude vendored files, stats fall back to the files', () => {
    const row = commitRow(
      {
        sha: 'a'.repeat(40),
        commit: { message: 'm', author: { date: '2026-01-01T00:00:00Z' }, committer: null },
        author: { id: 1, login: 'x' },
        committer: null,
        stats: null,
        files: null,
        parents: [],
      },
      [
        { filename: 'a.go', additions: 3, deletions: 1 },
        { filename: 'vendor/b.go', additions: 100, deletions: 0 },
      ],
      'o/r',
    );
    expect(row).toMatchObject({ additions: 103, deletions: 1, files_changed: 2, languages: { Go: 4 }, repository_name: 'r', author_github_id: 1 });
  });

  it('a pull request: merged state, reviewers without drafts or the author', () => {
    const pr = {
      id: 1,
      number: 2,
      state: 'closed' as const,
      user: { id: 1, login: 'author' },
      created_at: 'c',
      updated_at: 'u',
      merged_at: 'm',
      requested_reviewers: [{ id: 3, login: 'asked' }],
    };
    const row = pullRow(pr, 'o/r', [
      { id: 10, user: { id: 2, login: 'rev' }, state: 'APPROVED' },
      { id: 11, user: { id: 1, login: 'author' }, state: 'COMMENTED' },
      { id: 12, user: { id: 4, login: 'drafty' }, state: 'PENDING' },
    ]);
    expect(row).toMatchObject({ state: 'merged', reviewers: ['asked', 'rev'] });
    expect(reviewRow({ id: 12, user: null, state: 'PENDING' }, 1)).toBeNull();
    expect(reviewRow({ id: 13, user: null, state: 'CHANGES_REQUESTED' }, 1)).toMatchObject({ state: 'changes_requested' });
  });

  it('pgArray quotes strings safely', () => {
    expect(pgArray(['a', 'b"c', 'd\\e'])).toBe('{"a","b\\"c","d\\\\e"}');
    expect(pgArray([1, 2])).toBe('{1,2}');
  });
});

describe('profile evidence', () => {
  it('frameworks come from file evidence', () => {
    const f = frameworksFromPaths([
      { path: 'web/next.config.js', commits: 2 },
      { path: 'web/pages/index.tsx', commits: 5 },
      { path: 'infra/main.tf', commits: 1 },
      { path: '.github/workflows/ci.yml', commits: 3 },
    ]);
    expect(Object.keys(f).sort()).toEqual(['GitHub Actions', 'Next.js', 'React', 'Terraform']);
    expect(f.React).toEqual({ files: 1, commits: 5 });
  });

  it('seniority follows the documented formula and levels', () => {
    expect(seniority({ tenureYears: 0, languages: 0, reviews: 0, mergedPrs: 0, commits: 0 })).toEqual({ score: 0, level: 'junior' });
    // 30 + 18 + 20 + 20 + 12
    expect(seniority({ tenureYears: 20, languages: 10, reviews: 10_000, mergedPrs: 10_000, commits: 1e6 })).toEqual({ score: 100, level: 'principal' });
    // 3*5=15 + 3*3=9 + 5*log2(16)=20 + 4*log2(8)=12 + 3*log2(1+7)=9 → 65
    expect(seniority({ tenureYears: 5, languages: 3, reviews: 15, mergedPrs: 7, commits: 70 })).toEqual({ score: 65, level: 'staff' });
  });
});
