import { stringify } from 'csv-stringify/sync';
import { neutraliseFormula } from '../lib/spreadsheet-safe.js';
import type { ReportData } from './data.js';
import { renderPdf } from './pdf.js';

export const REPORT_FORMATS = ['pdf', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function renderJson(data: ReportData): Buffer {
  return Buffer.from(JSON.stringify(data, null, 2) + '\n');
}

/** One row per value: widget, metric, label (with a stacked bar's part), value, unit (and the error for widgets that failed). */
export function renderCsv(data: ReportData): Buffer {
  const rows: (string | number | null)[][] = [];
  for (const w of data.widgets) {
    if (w.type === 'error') rows.push([w.title, '', '', null, '', w.error ?? '']);
    else if (w.items) for (const i of w.items) rows.push([w.title, w.metric ?? '', i.series ? `${i.label} ${i.series}` : i.label, i.value, w.unit ?? '', '']);
    else rows.push([w.title, w.metric ?? '', '', w.value ?? null, w.unit ?? '', '']);
  }
  return Buffer.from(
    stringify(rows, {
      header: true,
      columns: ['widget', 'metric', 'label', 'value', 'unit', 'error'],
      cast: { string: (v) => neutraliseFormula(v) },
    }),
  );
}

export async function renderReport(data: ReportData, format: ReportFormat): Promise<Buffer> {
  if (format === 'pdf') return renderPdf(data);
  if (format === 'csv') return renderCsv(data);
  return renderJson(data);
}
