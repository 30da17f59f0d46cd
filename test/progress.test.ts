import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/lib/logger.js';
import { describeProgress, progressLine, progressPrinter } from '../src/cli/progress.js';

describe('--wait progress: a bar in a terminal, plain lines elsewhere', () => {
  it('reads the progress our jobs report', () => {
    expect(describeProgress({ repository: 'acme/api', stream: 'commits', fetched: 600, written: 450, total: 1000 })).toEqual({
      done: 450,
      total: 1000,
      what: 'commits stored',
    });
    expect(describeProgress({ stream: 'pulls', refreshed: 25, of: 60 })).toEqual({ done: 25, total: 60, what: 'pull requests' });
    expect(describeProgress({ stream: 'pulls', listed: 50, total: 120 })).toEqual({ done: 50, total: 120, what: 'pull requests' });
    expect(describeProgress({ stream: 'pulls', listed: 50 })).toEqual({ done: 50, total: undefined, what: 'pull requests' });
    expect(describeProgress({ rows: 10_000, total: 25_000, percent: 40 })).toEqual({ done: 10_000, total: 25_000, what: 'rows' });
    expect(describeProgress(50)).toEqual({ done: 50, total: 100, what: '%' });
    expect(describeProgress({ slot: 'x', delivered: 'email' })).toBeNull();
  });

  it('draws the bar in place on a terminal, and ends the line once', () => {
    const written: string[] = [];
    const tty = { isTTY: true, columns: 80, write: (s: string) => written.push(s) };
    const p = progressPrinter(tty);
    p.report({ stream: 'commits', written: 250, total: 1000 });
    p.report({ stream: 'commits', written: 1000, total: 1000 });
    p.end();
    p.end();
    expect(written).toHaveLength(3);
    expect(written[0]).toMatch(/^\r\[█{6}░{18}\] {2}25% {2}250 of 1,000 commits stored +$/);
    expect(written[0]).toHaveLength(80);
    expect(written[1]).toMatch(/^\r\[█{24}\] 100% {2}1,000 of 1,000 commits stored/);
    expect(written[2]).toBe('\n');
  });

  it('prints one plain line per report elsewhere (a pipe, a log, CI)', () => {
    const written: string[] = [];
    const p = progressPrinter({ isTTY: false, write: (s: string) => written.push(s) });
    p.report({ rows: 10_000, total: 25_000 });
    p.report({ stream: 'pulls', listed: 50 });
    p.report({ slot: '2026-11-23', delivered: 'email' });
    p.end();
    expect(written).toEqual([
      'progress: 10,000 of 25,000 rows (40%)\n',
      'progress: 50 pull requests\n',
      'progress: {"slot":"2026-11-23","delivered":"email"}\n',
    ]);
    expect(progressLine({ done: 7, what: 'pull requests' }, true)).toBe('7 pull requests …');
  });
});

describe('logs: readable in a terminal, JSON elsewhere', () => {
  const capture = () => {
    const chunks: string[] = [];
    const destination = new PassThrough();
    destination.on('data', (c: Buffer) => chunks.push(c.toString()));
    return { destination, text: () => chunks.join('') };
  };

  it('pretty: time, level and message on one line, then the fields; secrets still redacted', async () => {
    const out = capture();
    const log = createLogger('info', { role: 'worker' }, { format: 'pretty', destination: out.destination });
    log.info({ queue: 'github-sync', token: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789' }, 'worker ready');
    await new Promise((r) => setImmediate(r));
    expect(out.text()).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: worker ready\n/);
    expect(out.text()).toContain('queue: "github-sync"');
    expect(out.text()).toContain('token: "[redacted]"');
    expect(out.text()).not.toContain('{"level"');
  });

  it('json (and auto when not a terminal): one JSON object a line', async () => {
    const out = capture();
    createLogger('info', {}, { format: 'json', destination: out.destination }).info({ queue: 'slack' }, 'posted');
    const auto = capture();
    createLogger('info', {}, { destination: auto.destination }).info('ready');
    await new Promise((r) => setImmediate(r));
    expect(JSON.parse(out.text())).toMatchObject({ level: 30, msg: 'posted', queue: 'slack', service: 'aexy-workers' });
    expect(JSON.parse(auto.text())).toMatchObject({ msg: 'ready' });
  });
});
