/**
 * A job's progress as a person reads it: a bar redrawn in place in a terminal, plain lines elsewhere
 * (a log, a pipe, CI). The shapes are the ones our jobs report: exports `{rows, total}`, commit syncs
 * `{stream: 'commits', written, total}`, pull-request syncs `{stream: 'pulls', refreshed, of}` or
 * `{listed, total?}`, and plain percentages.
 */
export interface Progress {
  done: number;
  total?: number;
  what: string;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function describeProgress(data: unknown): Progress | null {
  if (typeof data === 'number') return { done: data, total: 100, what: '%' };
  if (!data || typeof data !== 'object') return null;
  const d = data as Record<string, unknown>;
  if (d.stream === 'commits' && num(d.written) !== undefined) return { done: num(d.written)!, total: num(d.total), what: 'commits stored' };
  if (d.stream === 'pulls' && num(d.refreshed) !== undefined) return { done: num(d.refreshed)!, total: num(d.of), what: 'pull requests' };
  if (d.stream === 'pulls' && num(d.listed) !== undefined) return { done: num(d.listed)!, total: num(d.total), what: 'pull requests' };
  if (num(d.rows) !== undefined) return { done: num(d.rows)!, total: num(d.total), what: 'rows' };
  return null;
}

const n = (v: number) => v.toLocaleString('en-US');

/** "[██████░░░░] 45%  450 of 1,000 commits stored" in a terminal; "progress: 450 of 1,000 commits stored (45%)" elsewhere. */
export function progressLine(p: Progress, terminal: boolean, width = 24): string {
  const known = p.total !== undefined && p.total > 0;
  const ratio = known ? Math.min(1, p.done / p.total!) : 0;
  const pct = `${Math.floor(ratio * 100)}%`;
  const count = p.what === '%' ? '' : known ? `${n(p.done)} of ${n(p.total!)} ${p.what}` : `${n(p.done)} ${p.what}`;
  if (!terminal) return `progress: ${count || pct}${known && count ? ` (${pct})` : ''}`;
  if (!known) return `${count} …`;
  const filled = Math.round(ratio * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${pct.padStart(4)}  ${count}`.trimEnd();
}

/** A progress printer for one job: redraws one line on a terminal, prints a line per report elsewhere. */
export function progressPrinter(out: { isTTY?: boolean; write(s: string): unknown; columns?: number }): { report(data: unknown): void; end(): void } {
  const terminal = !!out.isTTY;
  let drawn = false;
  return {
    report(data) {
      const p = describeProgress(data);
      const line = p ? progressLine(p, terminal) : `progress: ${JSON.stringify(data)}`;
      if (!terminal) return void out.write(`${line}\n`);
      const width = Math.max(20, (out.columns ?? 80) - 1);
      out.write(`\r${line.slice(0, width).padEnd(width)}`);
      drawn = true;
    },
    end() {
      if (drawn) out.write('\n');
      drawn = false;
    },
  };
}
