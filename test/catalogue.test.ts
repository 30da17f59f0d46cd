import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { defineContract, type AnyJobContract } from '../src/jobs/contract.js';
import { defineJob } from '../src/jobs/handler.js';
import { CONTRACTS } from '../src/jobs/index.js';
import { catalogueSchedules } from '../src/jobs/schedulers.js';
import { JOBS, loadHandler } from '../src/workers/handlers.js';
import { ROOT } from './helpers/spawn.js';

function filesEndingWith(dir: string, suffix: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => join(e.parentPath, e.name));
}

const handlerFiles = new Set(filesEndingWith(join(ROOT, 'src'), '.job.ts').map((f) => relative(ROOT, f)));

/**
 * The catalogue (src/jobs/index.ts) is the one list of jobs: each contract names its handler module
 * and carries its schedules; the worker's handlers and the schedulers are derived from it.
 */
describe('the job catalogue', () => {
  it('binds every contract to exactly one handler, and every handler module in src to one contract', async () => {
    expect(JOBS.map((j) => j.name)).toEqual(CONTRACTS.map((c) => c.name));
    const handlerFiles = filesEndingWith(join(ROOT, 'src'), '.job.ts');
    const contractFiles = filesEndingWith(join(ROOT, 'src'), '.contract.ts');
    expect(handlerFiles).toHaveLength(CONTRACTS.length);
    expect(contractFiles).toHaveLength(CONTRACTS.length);
    const owners = new Map<string, string[]>();
    for (const file of handlerFiles) {
      const mod = (await import(pathToFileURL(file).href)) as Record<string, { name?: string; process?: unknown }>;
      for (const value of Object.values(mod)) {
        if (typeof value?.process !== 'function' || typeof value.name !== 'string') continue;
        owners.set(value.name, [...(owners.get(value.name) ?? []), relative(ROOT, file)]);
        // The handler the worker runs for this name is this very object, found from the contract.
        expect(JOBS.find((j) => j.name === value.name)).toBe(value);
      }
    }
    for (const c of CONTRACTS) expect(owners.get(c.name), c.name).toHaveLength(1);
    expect([...owners.keys()].sort()).toEqual(CONTRACTS.map((c) => c.name).sort());
  });

  it('keeps the contract and handler of area.action at src/<area or areas>/jobs/area-action.{contract,job}.ts', async () => {
    const found: string[] = [];
    for (const file of filesEndingWith(join(ROOT, 'src'), '.contract.ts')) {
      const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      const catalogue: readonly unknown[] = CONTRACTS;
      for (const c of Object.values(mod).filter((v): v is AnyJobContract => catalogue.includes(v))) {
        const [area, action] = c.name.split('.') as [string, string];
        const place = relative(ROOT, file);
        expect([`src/${area}/jobs/${area}-${action}.contract.ts`, `src/${area}s/jobs/${area}-${action}.contract.ts`], c.name).toContain(place);
        expect(handlerFiles.has(place.replace(/\.contract\.ts$/, '.job.ts')), place).toBe(true);
        found.push(c.name);
      }
    }
    expect(found.sort()).toEqual(CONTRACTS.map((c) => c.name).sort());
  });

  it('refuses a contract whose module holds no handler, two handlers, or another job’s handler', async () => {
    const schema = z.object({}).strict();
    const a = { name: 'test.a', queue: 'system', schema } as const;
    const b = { name: 'test.b', queue: 'system', schema } as const;
    const handlerOf = (c: typeof a | typeof b) => defineJob(c, async () => undefined);
    const contract = (handler: () => Promise<unknown>): AnyJobContract => defineContract({ ...a, handler });
    await expect(loadHandler(contract(async () => ({ helper: () => 1 })))).rejects.toThrow('exports 0 handlers');
    await expect(loadHandler(contract(async () => ({ one: handlerOf(a), two: handlerOf(a) })))).rejects.toThrow('exports 2 handlers');
    await expect(loadHandler(contract(async () => ({ other: handlerOf(b) })))).rejects.toThrow('exports the handler of "test.b"');
    await expect(loadHandler({ ...a })).rejects.toThrow('names no handler module');
    const own = handlerOf(a);
    await expect(loadHandler(contract(async () => ({ own })))).resolves.toBe(own);
  });

  it('holds schedules with unique ids, one period each, and payloads their contract accepts', () => {
    const schedules = catalogueSchedules();
    expect(schedules.length).toBeGreaterThanOrEqual(9);
    const ids = schedules.map((s) => s.schedule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { contract, schedule } of schedules) {
      expect(CONTRACTS).toContain(contract);
      expect(Number(schedule.every !== undefined) + Number(schedule.pattern !== undefined), schedule.id).toBe(1);
      expect(() => contract.schema.parse(schedule.data ?? {}), schedule.id).not.toThrow();
    }
  });
});
