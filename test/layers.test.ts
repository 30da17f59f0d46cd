import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/spawn.js';

/**
 * The layer rules of .dependency-cruiser.cjs and .dependency-cruiser-eager.cjs over every module of
 * src, and each rule seen failing: a copy of src with one violation planted per rule must report
 * exactly those violations.
 */
const CONFIGS = ['.dependency-cruiser.cjs', '.dependency-cruiser-eager.cjs'] as const;

interface Cruise {
  totalCruised: number;
  violations: string[];
}

function cruise(cwd: string, config: string): Cruise {
  const bin = join(ROOT, 'node_modules', '.bin', 'depcruise');
  let out: string;
  try {
    out = execFileSync(bin, ['src', '--config', config, '--output-type', 'json'], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    out = (err as { stdout: string }).stdout; // non-zero exit: violations, returned
  }
  const result = JSON.parse(out) as { summary: { violations: { rule: { name: string }; from: string; to: string }[]; totalCruised: number } };
  return { totalCruised: result.summary.totalCruised, violations: result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`) };
}

/** One planted file per rule (path → text), and the violation each must produce. */
const PLANTS: Record<string, string> = {
  'src/lib/planted-cycle-a.ts': "import { b } from './planted-cycle-b.js';\nexport const a = () => b;\n",
  'src/lib/planted-cycle-b.ts': "import { a } from './planted-cycle-a.js';\nexport const b = () => a;\n",
  'src/cli/planted-handler.ts': "export { systemNoopJob } from '../system/jobs/system-noop.job.js';\n",
  'src/system/jobs/planted-other.contract.ts': "export const handler = () => import('../../github/jobs/github-sync-repo.job.js');\n",
  'src/system/jobs/planted-eager.contract.ts': "import './planted-eager.job.js';\nexport const handler = () => import('./planted-eager.job.js');\n",
  'src/system/jobs/planted-eager.job.ts': 'export const x = 1;\n',
  'src/exports/planted-runtime.ts': "import type { JobContext } from '../jobs/context.js';\nexport const f = (ctx: JobContext) => ctx.em;\n",
  'src/lib/planted-feature.ts': "import { loadConfig } from '../config/index.js';\nexport const c = loadConfig;\n",
  'src/cli/planted-sql.ts': "import { sql } from '../db/sql.js';\nexport const q = sql;\n",
  'src/slack/planted-reach.ts': "import { skillLabel } from '../career/skills.js';\nexport const s = skillLabel;\n",
  // Through the feature's public module: no violation.
  'src/slack/planted-public.ts': "import { skillLabel } from '../career/index.js';\nexport const s = skillLabel;\n",
  'src/queues/planted-up.ts': "export { exportStatus } from '../exports/index.js';\n",
  'src/system/jobs/planted-heavy.contract.ts': "import { loadConfig } from '../../config/index.js';\nexport const c = loadConfig;\n",
};
// A cycle is reported once, at its first module.
const EXPECTED = [
  'no-circular: src/lib/planted-cycle-a.ts → src/lib/planted-cycle-b.ts',
  'handlers-only-through-their-contract: src/cli/planted-handler.ts → src/system/jobs/system-noop.job.ts',
  'a-contract-names-its-own-handler: src/system/jobs/planted-other.contract.ts → src/github/jobs/github-sync-repo.job.ts',
  'a-contract-loads-its-handler-lazily: src/system/jobs/planted-eager.contract.ts → src/system/jobs/planted-eager.job.ts',
  // A handler imported statically is also more than a contract may import.
  'contracts-stay-light: src/system/jobs/planted-eager.contract.ts → src/system/jobs/planted-eager.job.ts',
  'contracts-stay-light: src/system/jobs/planted-heavy.contract.ts → src/config/index.ts',
  'job-runtime-only-in-handlers: src/exports/planted-runtime.ts → src/jobs/context.ts',
  'cli-runs-no-sql: src/cli/planted-sql.ts → src/db/sql.ts',
  'lib-imports-no-feature: src/lib/planted-feature.ts → src/config/index.ts',
  'only-the-registry-imports-up: src/queues/planted-up.ts → src/exports/index.ts',
  'features-meet-through-public-modules: src/slack/planted-reach.ts → src/career/skills.ts',
  // Plants of the rules above that also reach into another feature.
  'features-meet-through-public-modules: src/cli/planted-handler.ts → src/system/jobs/system-noop.job.ts',
  'features-meet-through-public-modules: src/system/jobs/planted-other.contract.ts → src/github/jobs/github-sync-repo.job.ts',
  'features-meet-through-public-modules: src/board/main.ts → src/github/sync/repository.ts',
  'board-does-not-load-the-sync: src/board/main.ts → src/github/sync/repository.ts',
];

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('layers', () => {
  it('src keeps the import rules', () => {
    for (const config of CONFIGS) {
      const result = cruise(ROOT, config);
      expect(result.totalCruised).toBeGreaterThan(150); // the .js → .ts resolution found the modules
      expect(result.violations).toEqual([]);
    }
  }, 60_000);

  it('each rule fails on a violation planted in a copy of src', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aexy-layers-'));
    dirs.push(dir);
    cpSync(join(ROOT, 'src'), join(dir, 'src'), { recursive: true });
    for (const file of ['tsconfig.json', ...CONFIGS]) cpSync(join(ROOT, file), join(dir, file));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    for (const [path, text] of Object.entries(PLANTS)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    // The board loading a repository's sync through a module of its own.
    const board = join(dir, 'src/board/main.ts');
    writeFileSync(board, `import '../github/sync/repository.js';\n${readFileSync(board, 'utf8')}`);

    const found = CONFIGS.flatMap((config) => cruise(dir, config).violations);
    expect(found).toEqual(expect.arrayContaining(EXPECTED));
    // Nothing but the planted violations (the board's reachability may report one line per target).
    expect(found.filter((v) => !EXPECTED.includes(v) && !v.startsWith('board-does-not-load-the-sync: src/board/main.ts → '))).toEqual([]);
  }, 60_000);
});
