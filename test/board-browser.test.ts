import { existsSync } from 'node:fs';
import { systemNoopJob } from '../src/system/jobs/system-noop.job.js';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildBoardServer } from '../src/board/server.js';
import { createLogger } from '../src/lib/logger.js';
import { defineJob } from '../src/jobs/handler.js';
import { systemNoop } from '../src/jobs/index.js';
import { useTestWorld } from './hooks.js';
import { startHarness } from './helpers/workers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * An operator's view: headless Chromium (Debian's, driven by playwright-core; no browser download)
 * logs into Bull Board with basic auth and sees the queues and a failed job with its reason.
 * .ci/run installs the chromium package; elsewhere the test is skipped when there is no browser.
 */
describe.skipIf(!existsSync(CHROMIUM))('Bull Board in a real browser', () => {
  const w = useTestWorld({ settings: { BOARD_USER: 'ops', BOARD_PASSWORD: 'correct horse' } });
  let app: FastifyInstance;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    const poison = defineJob({
      name: 'test.poison',
      queue: 'system',
      schema: z.object({ n: z.number() }),
      options: { attempts: 1 },
      process: async () => {
        throw new Error('poison pill: cannot process record 42');
      },
    });
    const h = await startHarness({ ...w.config, DATABASE_URL: w.db.url }, w.db.orm, [systemNoopJob, poison]);
    await h.settle(await h.pool.producer.enqueue(systemNoop, { note: 'fine' }));
    await h.settle(await h.pool.producer.enqueue(poison, { n: 42 }));
    await h.close();
    app = await buildBoardServer({ config: w.config, orm: w.db.orm, log: createLogger('silent') });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('without credentials the board is refused', async () => {
    const page = await (await browser.newContext()).newPage();
    // Headless Chromium cannot show the login prompt; the 401 surfaces as an auth error.
    await expect(page.goto(`${base}/admin/queues`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
  });

  it('logs in and sees every queue and the failed job with its error', async () => {
    const context = await browser.newContext({ httpCredentials: { username: 'ops', password: 'correct horse' } });
    const page = await context.newPage();
    await page.goto(`${base}/admin/queues`);
    await expect.poll(async () => page.locator('body').innerText(), { timeout: 15_000 }).toContain('github-sync');
    expect(await page.locator('body').innerText()).toContain('Aexy Workers');
    const overview = await page.locator('body').innerText();
    for (const q of ['system', 'github-sync', 'profiles', 'insights', 'reports', 'exports', 'slack']) expect(overview).toContain(q);

    await page.goto(`${base}/admin/queues/queue/${encodeURIComponent(`${w.config.QUEUE_PREFIX}:system`)}?status=failed`);
    await expect.poll(async () => page.locator('body').innerText(), { timeout: 15_000 }).toContain('poison pill: cannot process record 42');
    const text = await page.locator('body').innerText();
    expect(text).toContain('test.poison');
    await context.close();
  });
});
