import { describe, expect, it } from 'vitest';
import { cronPattern, monthlyTargetDay, nextRun, previousRun, scheduleSchema, type Schedule } from '../src/reports/scheduling/next-run.js';

const s = (x: Partial<Schedule>): Schedule => ({ schedule: 'daily', day_of_week: null, day_of_month: null, time_utc: '09:00', ...x });
const iso = (d: Date) => d.toISOString();

describe('schedule arithmetic', () => {
  it('daily at time_utc', () => {
    expect(iso(nextRun(s({}), new Date('2026-03-10T08:59:00Z')))).toBe('2026-03-10T09:00:00.000Z');
    expect(iso(nextRun(s({}), new Date('2026-03-10T09:00:00Z')))).toBe('2026-03-11T09:00:00.000Z');
    expect(iso(nextRun(s({ time_utc: '23:30' }), new Date('2026-12-31T23:45:00Z')))).toBe('2027-01-01T23:30:00.000Z');
  });

  it('weekly on day_of_week (0 = Sunday)', () => {
    // 2026-03-10 is a Tuesday.
    expect(iso(nextRun(s({ schedule: 'weekly', day_of_week: 1 }), new Date('2026-03-10T12:00:00Z')))).toBe('2026-03-16T09:00:00.000Z');
    expect(iso(nextRun(s({ schedule: 'weekly', day_of_week: 2 }), new Date('2026-03-10T08:00:00Z')))).toBe('2026-03-10T09:00:00.000Z');
    expect(iso(nextRun(s({ schedule: 'weekly', day_of_week: 2 }), new Date('2026-03-10T10:00:00Z')))).toBe('2026-03-17T09:00:00.000Z');
    expect(iso(nextRun(s({ schedule: 'weekly', day_of_week: 0 }), new Date('2026-03-14T10:00:00Z')))).toBe('2026-03-15T09:00:00.000Z');
  });

  it('monthly on day_of_month, short months clamp to their last day', () => {
    const m31 = s({ schedule: 'monthly', day_of_month: 31 });
    expect(iso(nextRun(m31, new Date('2026-01-31T10:00:00Z')))).toBe('2026-02-28T09:00:00.000Z');
    expect(iso(nextRun(m31, new Date('2028-02-01T00:00:00Z')))).toBe('2028-02-29T09:00:00.000Z'); // leap year
    expect(iso(nextRun(m31, new Date('2026-04-01T00:00:00Z')))).toBe('2026-04-30T09:00:00.000Z');
    expect(iso(nextRun(s({ schedule: 'monthly', day_of_month: 15 }), new Date('2026-12-20T00:00:00Z')))).toBe('2027-01-15T09:00:00.000Z');
    expect(monthlyTargetDay(30, 2026, 1)).toBe(28);
    expect(monthlyTargetDay(30, 2026, 2)).toBe(30);
  });

  it('previousRun finds the slot a tick belongs to', () => {
    expect(iso(previousRun(s({}), new Date('2026-03-10T09:00:30Z')))).toBe('2026-03-10T09:00:00.000Z');
    expect(iso(previousRun(s({ schedule: 'monthly', day_of_month: 30 }), new Date('2026-03-01T00:00:00Z')))).toBe('2026-02-28T09:00:00.000Z');
  });

  it('cron patterns for the job schedulers', () => {
    expect(cronPattern(s({ time_utc: '07:05' }))).toBe('5 7 * * *');
    expect(cronPattern(s({ schedule: 'weekly', day_of_week: 5 }))).toBe('0 9 * * 5');
    expect(cronPattern(s({ schedule: 'monthly', day_of_month: 3 }))).toBe('0 9 3 * *');
    expect(cronPattern(s({ schedule: 'monthly', day_of_month: 30 }))).toBe('0 9 28-31 * *');
  });

  it('rejects incomplete or impossible schedules with precise messages', () => {
    const r = scheduleSchema.safeParse({ schedule: 'weekly', day_of_week: null, day_of_month: null, time_utc: '25:00' });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).sort()).toEqual([
      'day_of_week: is required for a weekly schedule',
      'time_utc: must be "HH:MM" (UTC)',
    ]);
  });
});
