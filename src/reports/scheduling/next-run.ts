import { z } from 'zod';

/** The schedule part of a scheduled_reports row, validated. */
export const scheduleSchema = z
  .object({
    schedule: z.enum(['daily', 'weekly', 'monthly'], { message: 'must be daily, weekly or monthly' }),
    day_of_week: z.number().int().min(0, 'must be 0 (Sunday) to 6').max(6, 'must be 0 (Sunday) to 6').nullable(),
    day_of_month: z.number().int().min(1, 'must be 1 to 31').max(31, 'must be 1 to 31').nullable(),
    time_utc: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be "HH:MM" (UTC)')
      .nullable(),
  })
  .superRefine((s, ctx) => {
    if (s.schedule === 'weekly' && s.day_of_week === null)
      ctx.addIssue({ code: 'custom', path: ['day_of_week'], message: 'is required for a weekly schedule' });
    if (s.schedule === 'monthly' && s.day_of_month === null)
      ctx.addIssue({ code: 'custom', path: ['day_of_month'], message: 'is required for a monthly schedule' });
  });
export type Schedule = z.infer<typeof scheduleSchema>;

function hm(s: Schedule): [number, number] {
  const [h, m] = (s.time_utc ?? '09:00').split(':').map(Number);
  return [h!, m!];
}

const lastDayOfMonth = (year: number, month: number) => new Date(Date.UTC(year, month + 1, 0)).getUTCDate();

/** The delivery day of a monthly schedule in a given month: day_of_month, clamped to the month's last day. */
export function monthlyTargetDay(dayOfMonth: number, year: number, month: number): number {
  return Math.min(dayOfMonth, lastDayOfMonth(year, month));
}

/** The first run strictly after `after`. */
export function nextRun(s: Schedule, after: Date): Date {
  const [h, m] = hm(s);
  const at = (y: number, mo: number, d: number) => new Date(Date.UTC(y, mo, d, h, m));
  const y = after.getUTCFullYear();
  const mo = after.getUTCMonth();
  const d = after.getUTCDate();
  if (s.schedule === 'daily') {
    const today = at(y, mo, d);
    return today > after ? today : at(y, mo, d + 1);
  }
  if (s.schedule === 'weekly') {
    const delta = (s.day_of_week! - after.getUTCDay() + 7) % 7;
    const candidate = at(y, mo, d + delta);
    return candidate > after ? candidate : at(y, mo, d + delta + 7);
  }
  const thisMonth = at(y, mo, monthlyTargetDay(s.day_of_month!, y, mo));
  if (thisMonth > after) return thisMonth;
  const ny = mo === 11 ? y + 1 : y;
  const nmo = (mo + 1) % 12;
  return at(ny, nmo, monthlyTargetDay(s.day_of_month!, ny, nmo));
}

/** The most recent run at or before `at` (the slot a tick at `at` belongs to). */
export function previousRun(s: Schedule, at: Date): Date {
  // Step back far enough to be before the previous slot, then walk forward.
  let probe = new Date(at.getTime() - (s.schedule === 'monthly' ? 32 : s.schedule === 'weekly' ? 8 : 2) * 86_400_000);
  let last = probe;
  for (;;) {
    const n = nextRun(s, probe);
    if (n > at) return last;
    last = n;
    probe = n;
  }
}

/**
 * The BullMQ job-scheduler cron pattern that fires at (or, for clamped monthly days, around) every
 * run. Days 29-31 fire on 28-31 and the delivery job skips all but the clamped target day, which
 * cron alone cannot express ("the 30th, or the last day of a shorter month").
 */
export function cronPattern(s: Schedule): string {
  const [h, m] = hm(s);
  if (s.schedule === 'daily') return `${m} ${h} * * *`;
  if (s.schedule === 'weekly') return `${m} ${h} * * ${s.day_of_week}`;
  return s.day_of_month! <= 28 ? `${m} ${h} ${s.day_of_month} * *` : `${m} ${h} 28-31 * *`;
}
