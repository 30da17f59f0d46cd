import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ReportWidgetData } from './data.js';

/**
 * A Vega-Lite spec for a widget's data, rendered to SVG by Vega (no browser, no canvas), sized for
 * the cell it goes in. A pie's legend lists its slices by value, largest first, each with its share.
 */
function chartSpec(w: ReportWidgetData, size: { width: number; height: number }): TopLevelSpec {
  const items = w.items ?? [];
  const common = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: size.width,
    height: size.height,
    autosize: { type: 'fit', contains: 'padding' },
    config: { font: 'DejaVu Sans', view: { stroke: null }, axis: { labelFontSize: 9, titleFontSize: 9 }, legend: { labelFontSize: 9, labelLimit: 160 } },
  } as const;
  if (w.type === 'pie') {
    const total = items.reduce((s, i) => s + i.value, 0);
    const values = [...items]
      .sort((a, b) => b.value - a.value || a.label.localeCompare(b.label))
      .map((i, order) => ({ order, value: i.value, legend: `${i.label} — ${total ? Math.round((i.value / total) * 1000) / 10 : 0}%` }));
    return {
      ...common,
      data: { values },
      mark: { type: 'arc', innerRadius: Math.min(size.width, size.height) / 6 },
      encoding: {
        theta: { field: 'value', type: 'quantitative' },
        color: { field: 'legend', type: 'nominal', title: null, sort: { field: 'order' } },
        order: { field: 'order', type: 'quantitative' },
      },
    } as TopLevelSpec;
  }
  if (w.type === 'stacked') {
    // Parts that add up (phases, shares of 100 %) are stacked; shares of different things (each
    // agreement's share kept, a ratio) stand side by side: their sum would mean nothing.
    const sideBySide = w.unit === 'ratio';
    return {
      ...common,
      data: { values: items.map((i, order) => ({ label: i.label, value: i.value, part: i.series ?? '', order })) },
      mark: 'bar',
      encoding: {
        x: { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelAngle: -30, labelLimit: 90 } },
        ...(sideBySide ? { xOffset: { field: 'part', type: 'nominal', sort: null } } : {}),
        y: { field: 'value', type: 'quantitative', stack: sideBySide ? null : 'zero', title: w.valueHeading ?? w.unit ?? null },
        color: { field: 'part', type: 'nominal', title: null, sort: null },
        order: { field: 'order', type: 'quantitative' },
      },
    } as TopLevelSpec;
  }
  const values = items.map((i) => ({ label: i.label, value: i.value }));
  if (w.type === 'line') {
    return {
      ...common,
      data: { values },
      mark: { type: 'line', point: true },
      encoding: { x: { field: 'label', type: 'temporal', title: null }, y: { field: 'value', type: 'quantitative', title: w.valueHeading ?? w.unit ?? null } },
    } as TopLevelSpec;
  }
  return {
    ...common,
    data: { values },
    mark: 'bar',
    encoding: {
      x: { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelAngle: -30, labelLimit: 90 } },
      y: { field: 'value', type: 'quantitative', title: w.valueHeading ?? w.unit ?? null },
    },
  } as TopLevelSpec;
}

export async function chartSvg(w: ReportWidgetData, size = { width: 440, height: 220 }): Promise<string> {
  const view = new vega.View(vega.parse(compile(chartSpec(w, size)).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
