import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import { periodLabel } from '../lib/dates.js';
import { chartSvg } from './charts.js';
import type { GridPosition, ReportData, ReportWidgetData } from './data.js';
import { changeText, keyNumber } from './email.js';

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

/** A4 landscape, in points. */
const PAGE = { width: 841.89, height: 595.28 };
const M = 36;
const TOP = 52;
const BOTTOM = PAGE.height - 40;
const GAP = 12;
const INK = '#111827';
const MUTED = '#6b7280';
const LINE = '#d1d5db';

type Doc = PDFKit.PDFDocument;
interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}
/** Text that stays inside its box: cut with an ellipsis, never flowing onto a new page. */
const fit = (doc: Doc, text: string, b: Box, o: PDFKit.Mixins.TextOptions = {}) =>
  doc.text(text, b.x, b.y, { width: b.w, height: b.h, ellipsis: true, lineBreak: o.lineBreak ?? true, ...o });

/**
 * A dashboard-grade PDF (pdfkit, A4 landscape):
 * - a cover with the organization, the report, the period (the days its numbers cover) against the
 *   period before, and every number widget with its change;
 * - the widgets on a grid (`custom_reports.layout`: columns, and rows a page; each widget's
 *   `position` {x, y, w, h} in cells, else the next free cell in reading order), several a page;
 * - charts as vector drawings (Vega-Lite → SVG), pie legends by value with their shares, tables
 *   under their real column names, an empty state that says so;
 * - then the values of every chart as text (searchable, readable without the picture);
 * - a header (report and period) and "page n of N" on every page.
 * Everything is placed in boxes that cut text with an ellipsis: nothing is drawn off a page.
 */
export async function renderPdf(input: ReportData): Promise<Buffer> {
  // The document's metadata is Unicode text and keeps every character; only drawn text is filtered.
  const doc = new PDFDocument({ size: [PAGE.width, PAGE.height], margin: M, bufferPages: true, info: { Title: input.report.name, Author: 'Aexy Workers' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.registerFont('Body', FONTS.body);
  doc.registerFont('Body-Bold', FONTS.bold);
  doc.font('Body');
  const data = printableStrings(input, glyphCheck(doc));
  const period = periodLabel(data.window.start, data.window.end);

  cover(doc, data, period);
  const pages = placeWidgets(data);
  for (const page of pages) {
    doc.addPage();
    for (const { widget, box } of page) await cell(doc, widget, box);
  }
  appendix(
    doc,
    data.widgets.filter((w) => (w.type === 'bar' || w.type === 'pie' || w.type === 'line' || w.type === 'stacked') && w.items?.length),
  );

  // Header and page numbers, once the number of pages is known.
  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    // Writing in the margins must not make pdfkit start a new page.
    const margins = doc.page.margins;
    doc.page.margins = { top: 0, bottom: 0, left: 0, right: 0 };
    doc.font('Body').fontSize(8).fillColor(MUTED);
    fit(doc, `${data.report.name} · ${period}`, { x: M, y: 20, w: PAGE.width - 2 * M - 100, h: 12 }, { lineBreak: false });
    fit(doc, `Page ${i + 1} of ${range.count}`, { x: PAGE.width - M - 100, y: 20, w: 100, h: 12 }, { align: 'right', lineBreak: false });
    doc
      .moveTo(M, 34)
      .lineTo(PAGE.width - M, 34)
      .lineWidth(0.5)
      .strokeColor(LINE)
      .stroke();
    fit(
      doc,
      `Aexy Workers · generated ${data.generatedAt.slice(0, 16).replace('T', ' ')} UTC`,
      { x: M, y: PAGE.height - 26, w: 400, h: 12 },
      { lineBreak: false },
    );
    doc.page.margins = margins;
  }
  doc.flushPages();
  doc.end();
  return done;
}

function cover(doc: Doc, data: ReportData, period: string): void {
  const width = PAGE.width - 2 * M;
  let y = TOP + 8;
  doc.fillColor(MUTED).font('Body').fontSize(11);
  if (data.report.organizationName) fit(doc, data.report.organizationName, { x: M, y, w: width, h: 16 }, { lineBreak: false });
  y += 18;
  doc.fillColor(INK).font('Body-Bold').fontSize(26);
  fit(doc, data.report.name, { x: M, y, w: width, h: 66 });
  y += Math.min(66, doc.heightOfString(data.report.name, { width })) + 6;
  if (data.report.description) {
    doc.font('Body').fontSize(11).fillColor(MUTED);
    fit(doc, data.report.description, { x: M, y, w: width, h: 30 });
    y += 32;
  }
  doc.font('Body-Bold').fontSize(13).fillColor(INK);
  fit(doc, `${period} (UTC)`, { x: M, y, w: width, h: 18 }, { lineBreak: false });
  y += 18;
  doc.font('Body').fontSize(9).fillColor(MUTED);
  fit(doc, `Each number against ${periodLabel(data.previousWindow.start, data.previousWindow.end)}, the period as long before it.`, {
    x: M,
    y,
    w: width,
    h: 12,
  });
  y += 24;

  // The key numbers: every number widget, four cards a row, two rows at most.
  const numbers = data.widgets.filter((w) => w.type === 'number');
  const cardW = (width - 3 * GAP) / 4;
  const cardH = 84;
  numbers.slice(0, 8).forEach((w, i) => {
    const b = { x: M + (i % 4) * (cardW + GAP), y: y + Math.floor(i / 4) * (cardH + GAP), w: cardW, h: cardH };
    doc.roundedRect(b.x, b.y, b.w, b.h, 6).lineWidth(0.75).strokeColor(LINE).stroke();
    doc.font('Body').fontSize(9).fillColor(MUTED);
    fit(doc, w.title, { x: b.x + 10, y: b.y + 8, w: b.w - 20, h: 12 }, { lineBreak: false });
    doc.font('Body-Bold').fontSize(22).fillColor(INK);
    fit(doc, keyNumber(w.value, w.unit), { x: b.x + 10, y: b.y + 24, w: b.w - 20, h: 28 }, { lineBreak: false });
    doc.font('Body').fontSize(9).fillColor(MUTED);
    fit(doc, changeText(w.value, w.previous) || 'no value in this period', { x: b.x + 10, y: b.y + 58, w: b.w - 20, h: 12 }, { lineBreak: false });
  });
  const rows = Math.ceil(Math.min(numbers.length, 8) / 4);
  y += rows * (cardH + GAP) + (rows ? 4 : 0);
  doc.font('Body').fontSize(9).fillColor(MUTED);
  if (!numbers.length) {
    fit(doc, 'This report has no number widgets: its charts and tables follow.', { x: M, y, w: width, h: 12 });
    y += 18;
  } else if (numbers.length > 8) {
    fit(doc, `${numbers.length - 8} more numbers on the following pages.`, { x: M, y, w: width, h: 12 });
    y += 18;
  }
  const f = data.filters;
  const lines = [
    `Teams: ${f.team_ids?.length ? f.team_ids.join(', ') : "all of the organization's"}`,
    `Developers: ${f.developer_ids?.length ? f.developer_ids.join(', ') : "all members of the organization's teams"}`,
    `Widgets: ${data.widgets.length}, on a grid of ${data.layout.columns} column${data.layout.columns > 1 ? 's' : ''} and ${data.layout.rows} row${data.layout.rows > 1 ? 's' : ''} a page`,
  ];
  fit(doc, lines.join('\n'), { x: M, y: Math.max(y, BOTTOM - 48), w: width, h: 44 });
}

/**
 * The grid: every widget gets a block of cells, its position when it asks for free cells inside one
 * page, else the first free block in reading order. Returns the widgets of each page with their boxes.
 */
export function placeWidgets(data: Pick<ReportData, 'layout' | 'widgets'>): { widget: ReportWidgetData; box: Box }[][] {
  const { columns, rows } = data.layout;
  const taken = new Set<string>();
  const free = (p: GridPosition) => {
    if (p.x + p.w > columns || Math.floor(p.y / rows) !== Math.floor((p.y + p.h - 1) / rows)) return false;
    for (let r = p.y; r < p.y + p.h; r++) for (let c = p.x; c < p.x + p.w; c++) if (taken.has(`${r},${c}`)) return false;
    return true;
  };
  const take = (p: GridPosition) => {
    for (let r = p.y; r < p.y + p.h; r++) for (let c = p.x; c < p.x + p.w; c++) taken.add(`${r},${c}`);
  };
  const placed: { widget: ReportWidgetData; at: GridPosition }[] = [];
  // Widgets with a position that fits first, in order; then the others fill in.
  const later: ReportWidgetData[] = [];
  for (const w of data.widgets) {
    if (w.position && free(w.position)) {
      take(w.position);
      placed.push({ widget: w, at: w.position });
    } else later.push(w);
  }
  for (const w of later) {
    const size = { w: Math.min(w.position?.w ?? 1, columns), h: Math.min(w.position?.h ?? 1, rows) };
    for (let i = 0; ; i++) {
      const at = { x: i % columns, y: Math.floor(i / columns), ...size };
      if (free(at)) {
        take(at);
        placed.push({ widget: w, at });
        break;
      }
    }
  }
  const cellW = (PAGE.width - 2 * M - (columns - 1) * GAP) / columns;
  const cellH = (BOTTOM - TOP - (rows - 1) * GAP) / rows;
  const pages: { widget: ReportWidgetData; box: Box }[][] = [];
  for (const { widget, at } of placed.sort((a, b) => a.at.y - b.at.y || a.at.x - b.at.x)) {
    const page = Math.floor(at.y / rows);
    const row = at.y % rows;
    (pages[page] ??= []).push({
      widget,
      box: { x: M + at.x * (cellW + GAP), y: TOP + row * (cellH + GAP), w: at.w * cellW + (at.w - 1) * GAP, h: at.h * cellH + (at.h - 1) * GAP },
    });
  }
  // A page left empty by positions further down is not printed.
  return pages.filter((p) => p?.length);
}

async function cell(doc: Doc, w: ReportWidgetData, b: Box): Promise<void> {
  doc.roundedRect(b.x, b.y, b.w, b.h, 6).lineWidth(0.75).strokeColor(LINE).stroke();
  doc.font('Body-Bold').fontSize(10.5).fillColor(INK);
  fit(doc, w.title, { x: b.x + 10, y: b.y + 9, w: b.w - 20, h: 14 }, { lineBreak: false });
  const body = { x: b.x + 10, y: b.y + 30, w: b.w - 20, h: b.h - 40 };
  doc.font('Body').fontSize(9);
  if (w.type === 'error') {
    doc.fillColor('#b00020');
    fit(doc, `This widget could not be rendered: ${w.error}`, body);
    return;
  }
  if (w.type === 'number') {
    doc.font('Body-Bold').fontSize(30).fillColor(INK);
    fit(doc, keyNumber(w.value, w.unit), { ...body, h: 40 }, { lineBreak: false });
    doc.font('Body').fontSize(10).fillColor(MUTED);
    const change = changeText(w.value, w.previous);
    fit(doc, change ? `${change} in the period before` : 'No value in this period.', { ...body, y: body.y + 46, h: 14 }, { lineBreak: false });
    return;
  }
  if (!w.items?.length || (w.type === 'pie' && w.items.every((i) => i.value === 0))) {
    doc.fillColor(MUTED).fontSize(10);
    fit(doc, 'No data in this period.', { ...body, y: body.y + body.h / 2 - 8, h: 14 }, { align: 'center', lineBreak: false });
    return;
  }
  if (w.type === 'table') return table(doc, w, body);
  const svg = await chartSvg(w, { width: Math.round(body.w), height: Math.round(body.h) });
  SVGtoPDF(doc, svg, body.x, body.y, {
    width: body.w,
    height: body.h,
    preserveAspectRatio: 'xMinYMin meet',
    fontCallback: (_family: string, bold: boolean) => (bold ? 'Body-Bold' : 'Body'),
  });
}

/** A widget's values under their column names, as many rows as the box holds, then how many more. */
function table(doc: Doc, w: ReportWidgetData, b: Box): void {
  const rowH = 13;
  const valueW = Math.min(120, b.w / 3);
  const items = w.items ?? [];
  doc.font('Body-Bold').fontSize(9).fillColor(INK);
  fit(doc, w.labelHeading ?? 'Label', { x: b.x, y: b.y, w: b.w - valueW - 8, h: rowH }, { lineBreak: false });
  fit(doc, w.valueHeading ?? w.unit ?? 'Value', { x: b.x + b.w - valueW, y: b.y, w: valueW, h: rowH }, { align: 'right', lineBreak: false });
  doc
    .moveTo(b.x, b.y + rowH)
    .lineTo(b.x + b.w, b.y + rowH)
    .lineWidth(0.5)
    .strokeColor(LINE)
    .stroke();
  doc.font('Body').fillColor(INK);
  const fits = Math.max(1, Math.floor((b.h - rowH - 4) / rowH));
  const shown = items.length > fits ? items.slice(0, fits - 1) : items;
  shown.forEach((i, n) => {
    const y = b.y + rowH + 3 + n * rowH;
    fit(doc, i.label, { x: b.x, y, w: b.w - valueW - 8, h: rowH }, { lineBreak: false });
    fit(doc, keyNumber(i.value), { x: b.x + b.w - valueW, y, w: valueW, h: rowH }, { align: 'right', lineBreak: false });
  });
  if (shown.length < items.length) {
    doc.fillColor(MUTED);
    fit(
      doc,
      `… and ${items.length - shown.length} more (all of them in the CSV or JSON export)`,
      { x: b.x, y: b.y + rowH + 3 + shown.length * rowH, w: b.w, h: rowH },
      { lineBreak: false },
    );
  }
}

/** The values of every chart as text, two columns a page, starting new pages as they fill. */
function appendix(doc: Doc, charts: ReportWidgetData[]): void {
  if (!charts.length) return;
  const colW = (PAGE.width - 2 * M - GAP * 2) / 2;
  const rowH = 13;
  let col = 0;
  let y = BOTTOM;
  const colX = () => M + col * (colW + GAP * 2);
  const nextColumn = () => {
    col += 1;
    if (col > 1 || y === BOTTOM) {
      doc.addPage();
      col = 0;
      doc.font('Body-Bold').fontSize(13).fillColor(INK);
      fit(doc, 'The values of the charts', { x: M, y: TOP, w: PAGE.width - 2 * M, h: 18 }, { lineBreak: false });
    }
    y = TOP + 26;
  };
  nextColumn();
  for (const w of charts) {
    if (y + 3 * rowH > BOTTOM) nextColumn();
    doc.font('Body-Bold').fontSize(9).fillColor(INK);
    const hx = colX();
    fit(doc, w.title, { x: hx, y, w: colW - 112, h: rowH }, { lineBreak: false });
    fit(doc, w.valueHeading ?? w.unit ?? 'Value', { x: hx + colW - 108, y, w: 108, h: rowH }, { align: 'right', lineBreak: false });
    y += rowH + 2;
    for (const i of w.items ?? []) {
      if (y + rowH > BOTTOM) nextColumn();
      const cx = colX();
      doc.font('Body').fontSize(9).fillColor(INK);
      fit(doc, i.series ? `${i.label} · ${i.series}` : i.label, { x: cx, y, w: colW - 110, h: rowH }, { lineBreak: false });
      fit(doc, keyNumber(i.value), { x: cx + colW - 108, y, w: 108, h: rowH }, { align: 'right', lineBreak: false });
      y += rowH;
    }
    y += rowH;
  }
}

/** Whether the current font of `doc` has a glyph for a code point (fontkit, through pdfkit). */
function glyphCheck(doc: Doc): (codePoint: number) => boolean {
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
