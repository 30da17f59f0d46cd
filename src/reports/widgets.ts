import { z } from 'zod';
import { isMetric } from '../metrics/index.js';

export const WIDGET_TYPES = ['number', 'table', 'bar', 'line', 'pie', 'stacked'] as const;
export type WidgetType = (typeof WIDGET_TYPES)[number];

/** One element of custom_reports.widgets: {type, metric, config, position}. */
export const widgetSchema = z.object({
  type: z.enum(WIDGET_TYPES, { message: `unknown widget type (known: ${WIDGET_TYPES.join(', ')})` }),
  metric: z.string().refine(isMetric, { message: 'unknown metric' }),
  config: z
    .object({
      title: z.string().max(200).optional(),
      /** bar/pie/table of a scalar metric: one value per developer (the default), repository or team; line: one point per day or week; stacked (cycle_time's phases): one bar per week (the default) or team. */
      group_by: z.enum(['developer', 'repository', 'team', 'day', 'week']).optional(),
      limit: z.number().int().min(1).max(100).optional(),
    })
    .loose()
    .default({}),
  position: z.looseObject({}).optional(),
});
export type Widget = z.infer<typeof widgetSchema>;

export type WidgetCheck = { ok: true; widget: Widget; index: number } | { ok: false; index: number; raw: unknown; error: string };

/** Validate widgets one by one: a bad widget becomes an error entry, the others still render. */
export function checkWidgets(raw: unknown): WidgetCheck[] {
  if (!Array.isArray(raw)) return [{ ok: false, index: 0, raw, error: 'widgets must be an array' }];
  return raw.map((w, index) => {
    const r = widgetSchema.safeParse(w);
    if (r.success) return { ok: true, widget: r.data, index };
    const metric = (w as { metric?: unknown })?.metric;
    const type = (w as { type?: unknown })?.type;
    const problems = r.error.issues.map((i) => {
      const field = i.path.join('.');
      const got = field === 'metric' ? ` "${String(metric)}"` : field === 'type' ? ` "${String(type)}"` : '';
      return `${field || '(widget)'}: ${i.message}${got}`;
    });
    return { ok: false, index, raw: w, error: `widget ${index + 1}: ${problems.join('; ')}` };
  });
}
