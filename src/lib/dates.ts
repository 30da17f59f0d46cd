/** Dates as people read them in reports and messages (UTC, English day and month names). */

/** "16 – 22 Nov 2026", "28 Dec 2026 – 3 Jan 2027": the days of a window whose end is exclusive. */
export function dayRange(start: Date, endExclusive: Date): string {
  const last = new Date(endExclusive.getTime() - 86_400_000);
  const day = (d: Date, o: Intl.DateTimeFormatOptions) => d.toLocaleDateString('en-GB', { timeZone: 'UTC', ...o });
  if (start.getUTCFullYear() !== last.getUTCFullYear())
    return `${day(start, { day: 'numeric', month: 'short', year: 'numeric' })} – ${day(last, { day: 'numeric', month: 'short', year: 'numeric' })}`;
  if (start.getUTCMonth() !== last.getUTCMonth())
    return `${day(start, { day: 'numeric', month: 'short' })} – ${day(last, { day: 'numeric', month: 'short', year: 'numeric' })}`;
  return `${start.getUTCDate()} – ${day(last, { day: 'numeric', month: 'short', year: 'numeric' })}`;
}

/**
 * The days a window of instants covers, "24 Aug – 22 Nov 2026": from the start's day to the day of
 * its last instant (a window ending at midnight ends the day before; one ending at 09:00 includes
 * that day).
 */
export function periodLabel(start: string | Date, end: string | Date): string {
  const day = (t: number) => new Date(Math.floor(t / 86_400_000) * 86_400_000);
  const first = day(new Date(start).getTime());
  const last = day(new Date(end).getTime() - 1);
  return dayRange(first, new Date(last.getTime() + 86_400_000));
}
