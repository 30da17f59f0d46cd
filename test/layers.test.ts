import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/spawn.js';

/**
 * The layer rules of .dependency-cruiser.cjs, over every module of src: no import cycles outside
 * the entities, no handler imported outside the worker's job index, contracts that import nothing
 * heavier than zod, a board that never loads the sync.
 */
describe('layers', () => {
  it('src keeps the import rules', () => {
    const bin = join(ROOT, 'node_modules', '.bin', 'depcruise');
    let out: string;
    try {
      out = execFileSync(bin, ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (err) {
      out = (err as { stdout: string }).stdout; // non-zero exit: violations, reported below
    }
    const result = JSON.parse(out) as { summary: { violations: { rule: { name: string }; from: string; to: string }[]; totalCruised: number } };
    expect(result.summary.totalCruised).toBeGreaterThan(150); // the .js → .ts resolution found the modules
    expect(result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
  }, 60_000);
});
