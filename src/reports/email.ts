import { periodLabel } from '../lib/dates.js';
import { shownChange, toTenth } from '../lib/numbers.js';
import type { DeliveryNumbers, ReportData } from './data.js';

/**
 * The email of a scheduled report: a subject naming the report and the period its numbers cover
 * (not the schedule: a weekly delivery of a 90-day report covers 90 days), an HTML body with the key
 * numbers and their change against the period before, the same as plain text for clients that show
 * no HTML, and the attachment's name. Every text from users (report and widget titles) is escaped.
 */
export interface ReportEmail {
  subject: string;
  text: string;
  html: string;
  filename: string;
}

/** "engineering-weekly-2026-11-23.pdf": the report's name as a file name, and the day it was sent. */
export function reportFileName(reportName: string, slot: Date, format: string): string {
  const slug =
    reportName
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60)
      .replace(/-+$/, '') || 'report';
  return `${slug}-${slot.toISOString().slice(0, 10)}.${format}`;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
/** "1,234", "18.3 hours", "—": a key number as shown everywhere (rounded to a tenth). */
export const keyNumber = (n: number | null | undefined, unit?: string) =>
  n === null || n === undefined ? '—' : `${toTenth(n).toLocaleString('en-US')}${unit && unit !== 'count' ? ` ${unit}` : ''}`;
const fmt = keyNumber;

/** "+12 (+11%) from 108", "same as before", "none before": the change of the numbers as shown (the value carries the unit). */
export function changeText(value: number | null | undefined, previous: number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (previous === null || previous === undefined) return 'none before';
  const delta = shownChange(value, previous);
  if (delta === 0) return 'same as before';
  const pct = toTenth(previous) !== 0 ? Math.round((delta / Math.abs(toTenth(previous))) * 100) : null;
  const pctText = pct === null ? '' : ` (${pct < 0 ? '−' : '+'}${Math.abs(pct)}%)`;
  return `${delta > 0 ? '+' : '−'}${fmt(Math.abs(delta))}${pctText} from ${fmt(previous)}`;
}

/** "Commits: 6 commits (+6 from 0)": a number widget in one line. */
export function keyNumberLine(w: { title: string; value?: number | null; previous?: number | null; unit?: string }): string {
  return `${w.title}: ${fmt(w.value, w.unit)}${w.value === null || w.value === undefined ? '' : ` (${changeText(w.value, w.previous)})`}`;
}

/**
 * "Delivery: 5 deployments (+1 (+25%) from 4) · median lead time 26 hours (same as before) · change
 * failure rate 50% (…) · median time to restore 23 hours (…)": the scope's DORA numbers in one line.
 */
export function deliveryLineText(d: DeliveryNumbers): string {
  const part = (label: string, n: { value: number | null; previous: number | null }, unit: string, scale = 1) => {
    const value = n.value === null ? null : n.value * scale;
    const previous = n.previous === null ? null : n.previous * scale;
    return `${label} ${value === null ? '—' : `${fmt(value)}${unit} (${changeText(value, previous)})`}`;
  };
  const deployments = d.deployments.value ?? 0;
  return [
    `${fmt(deployments)} ${deployments === 1 ? 'deployment' : 'deployments'} (${changeText(deployments, d.deployments.previous)})`,
    part('median lead time', d.lead_time_for_changes, ' hours'),
    part('change failure rate', d.change_failure_rate, '%', 100),
    part('median time to restore', d.time_to_restore, ' hours'),
  ].join(' · ');
}

export function reportEmail(data: ReportData, opts: { schedule: string; slot: Date; format: string }): ReportEmail {
  const name = data.report.name;
  const period = periodLabel(data.window.start, data.window.end);
  const before = periodLabel(data.previousWindow.start, data.previousWindow.end);
  const filename = reportFileName(name, opts.slot, opts.format);
  const numbers = data.widgets.filter((w) => w.type === 'number');

  const text = [
    `${name}`,
    `${period} (UTC)`,
    '',
    ...(numbers.length ? [...numbers.map(keyNumberLine), ''] : []),
    ...(data.delivery ? [`Delivery: ${deliveryLineText(data.delivery)}`, ''] : []),
    `Changes are against ${before}.`,
    `The full report is attached: ${filename}. It is sent ${opts.schedule}.`,
    '',
  ].join('\n');

  const cell = 'padding:8px 12px;border-bottom:1px solid #e5e7eb;';
  const rows = numbers
    .map(
      (w) =>
        `<tr><td style="${cell}color:#374151">${escapeHtml(w.title)}</td>` +
        `<td style="${cell}font-weight:600;text-align:right;color:#111827">${escapeHtml(fmt(w.value, w.unit))}</td>` +
        `<td style="${cell}color:#6b7280">${escapeHtml(changeText(w.value, w.previous))}</td></tr>`,
    )
    .join('');
  const html = [
    '<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head>',
    '<body style="margin:0;padding:24px;background:#f9fafb;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif">',
    '<div style="max-width:600px;margin:0 auto;background:#ffffff;border:1px solid #e5e7eb;border-radius:8px;padding:24px">',
    `<h1 style="margin:0 0 4px;font-size:20px;color:#111827">${escapeHtml(name)}</h1>`,
    `<p style="margin:0 0 16px;color:#6b7280">${escapeHtml(period)} (UTC)</p>`,
    numbers.length
      ? `<table role="presentation" style="width:100%;border-collapse:collapse;font-size:14px">${rows}</table>` +
        `<p style="margin:12px 0 0;font-size:12px;color:#6b7280">Changes are against ${escapeHtml(before)}.</p>`
      : '',
    data.delivery ? `<p style="margin:12px 0 0;color:#374151"><b>Delivery</b>: ${escapeHtml(deliveryLineText(data.delivery))}</p>` : '',
    `<p style="margin:16px 0 0;color:#374151">The full report is attached: <b>${escapeHtml(filename)}</b>. It is sent ${escapeHtml(opts.schedule)}.</p>`,
    '</div></body></html>',
  ].join('');

  return { subject: `${name}: ${period}`.replace(/[\r\n]+/g, ' '), text, html, filename };
}
