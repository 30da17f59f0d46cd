import { createRequire } from 'node:module';
import { stringify } from 'csv-stringify/sync';
import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { neutraliseFormula } from '../exports/writer.js';
import type { ReportData, ReportWidgetData } from './data.js';

export const REPORT_FORMATS = ['pdf', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function renderJson(data: ReportData): Buffer {
  return Buffer.from(JSON.stringify(data, null, 2) + '\n');
}

/** One row per value: widget, metric, label, value, unit (and the error for widgets that failed). */
export function renderCsv(data: ReportData): Buffer {
  const rows: (string | number | null)[][] = [];
  for (const w of data.widgets) {
    if (w.type === 'error') rows.push([w.title, '', '', null, '', w.error ?? '']);
    else if (w.items) for (const i of w.items) rows.push([w.title, w.metric ?? '', i.label, i.value, w.unit ?? '', '']);
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

/** A Vega-Lite spec for a widget's data, rendered to SVG by Vega (no browser, no canvas). */
function chartSpec(w: ReportWidgetData): TopLevelSpec {
  const values = (w.items ?? []).map((i) => ({ label: i.label, value: i.value }));
  const common = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 440,
    height: 220,
    data: { values },
    config: { font: 'DejaVu Sans', view: { stroke: null } },
  } as const;
  if (w.type === 'pie') {
    return {
      ...common,
      mark: { type: 'arc', innerRadius: 40 },
      encoding: { theta: { field: 'value', type: 'quantitative' }, color: { field: 'label', type: 'nominal', title: null } },
    };
  }
  if (w.type === 'line') {
    return {
      ...common,
      mark: { type: 'line', point: true },
      encoding: { x: { field: 'label', type: 'temporal', title: null }, y: { field: 'value', type: 'quantitative', title: w.unit ?? null } },
    };
  }
  return {
    ...common,
    mark: 'bar',
    encoding: {
      x: { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelAngle: -30 } },
      y: { field: 'value', type: 'quantitative', title: w.unit ?? null },
    },
  };
}

export async function chartSvg(w: ReportWidgetData): Promise<string> {
  const view = new vega.View(vega.parse(compile(chartSpec(w)).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/**
 * PDF's 14 standard fonts only know Latin-1: a report titled in Greek or Cyrillic, or a developer
 * called Łukasz, came out as mojibake. DejaVu Sans (an npm package, so no system fonts are needed)
 * is embedded instead, subset to the glyphs used; it covers Latin, Greek, Cyrillic, Hebrew, Arabic
 * and many symbols. Characters it has no glyph for (CJK, emoji) would be written as glyph 0, an
 * empty box that extracts as U+0000; they are printed as U+FFFD (�) instead, which says plainly
 * that something is missing. CSV and JSON keep every character.
 */
const fontFile = (name: string) => createRequire(import.meta.url).resolve(`dejavu-fonts-ttf/ttf/${name}`);
const FONTS = { body: fontFile('DejaVuSans.ttf'), bold: fontFile('DejaVuSans-Bold.ttf') };

const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '—' : Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(2));

/**
 * PDF with pdfkit: a title page (name, description, window, filters), then one block per widget:
 * big numbers, tables, and real charts (Vega-Lite → SVG → svg-to-pdfkit, vector, not screenshots).
 * Every chart is followed by its values as text, so the numbers are searchable and accessible.
 */
export async function renderPdf(input: ReportData): Promise<Buffer> {
  // The document's metadata is Unicode text and keeps every character; only drawn text is filtered.
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: input.report.name, Author: 'Aexy Workers' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.registerFont('Body', FONTS.body);
  doc.registerFont('Body-Bold', FONTS.bold);
  doc.font('Body');
  const data = printableStrings(input, glyphCheck(doc));

  doc.fontSize(26).text(data.report.name, { align: 'left' }).moveDown(0.5);
  if (data.report.description) doc.fontSize(12).fillColor('#444').text(data.report.description).moveDown();
  doc.fillColor('black').fontSize(11);
  doc.text(`Period: ${data.window.start.slice(0, 10)} to ${data.window.end.slice(0, 10)}`);
  doc.text(`Teams: ${data.filters.team_ids?.length ? data.filters.team_ids.join(', ') : "all of the organization's"}`);
  doc.text(`Developers: ${data.filters.developer_ids?.length ? data.filters.developer_ids.join(', ') : "all members of the organization's teams"}`);
  doc.text(`Generated: ${data.generatedAt}`);
  doc.text(`Widgets: ${data.widgets.length}`);

  for (const w of data.widgets) {
    doc.addPage();
    doc.fontSize(16).fillColor('black').text(w.title).moveDown(0.5);
    doc.fontSize(10);
    if (w.type === 'error') {
      doc.fillColor('#b00020').text(`This widget could not be rendered: ${w.error}`).fillColor('black');
      continue;
    }
    if (w.type === 'number') {
      doc
        .fontSize(36)
        .text(`${fmt(w.value)} ${w.unit ?? ''}`)
        .fontSize(10);
      continue;
    }
    if (w.type !== 'table' && w.items?.length) {
      SVGtoPDF(doc, await chartSvg(w), doc.page.margins.left, doc.y, {
        width: 495,
        preserveAspectRatio: 'xMinYMin meet',
        fontCallback: (_family: string, bold: boolean) => (bold ? 'Body-Bold' : 'Body'),
      });
      doc.y += 300;
    }
    // The values as a table (the whole widget for table widgets, the chart's data otherwise).
    const x = doc.page.margins.left;
    doc.fontSize(10).font('Body-Bold').text('Label', x, doc.y, { continued: false, width: 300 });
    doc.moveUp().text(w.unit ?? 'value', x + 320, doc.y, { width: 150, align: 'right' });
    doc.font('Body');
    for (const i of w.items ?? []) {
      if (doc.y > doc.page.height - 80) doc.addPage();
      const y = doc.y;
      doc.text(i.label, x, y, { width: 300 });
      doc.text(fmt(i.value), x + 320, y, { width: 150, align: 'right' });
    }
    if (!w.items?.length) doc.text('No data in this period.');
  }
  doc.end();
  return done;
}

/** Whether the current font of `doc` has a glyph for a code point (fontkit, through pdfkit). */
function glyphCheck(doc: PDFKit.PDFDocument): (codePoint: number) => boolean {
  const font = (doc as unknown as { _font?: { font?: { hasGlyphForCodePoint?(cp: number): boolean } } })._font?.font;
  return font?.hasGlyphForCodePoint ? (cp) => font.hasGlyphForCodePoint!(cp) : () => true;
}

const INVISIBLE = /^[\p{Cf}\p{M}]$/u;

/** Every string in `value` with unprintable characters replaced by U+FFFD (invisible ones dropped). */
function printableStrings<T>(value: T, has: (codePoint: number) => boolean): T {
  if (typeof value === 'string') {
    let out = '';
    for (const ch of value) {
      const cp = ch.codePointAt(0)!;
      if (cp < 0x20 || has(cp)) out += ch;
      else if (!INVISIBLE.test(ch)) out += '\uFFFD';
    }
    return out as T;
  }
  if (Array.isArray(value)) return value.map((v) => printableStrings(v, has)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, printableStrings(v, has)])) as T;
  }
  return value;
}

export async function renderReport(data: ReportData, format: ReportFormat): Promise<Buffer> {
  if (format === 'pdf') return renderPdf(data);
  if (format === 'csv') return renderCsv(data);
  return renderJson(data);
}
