import { z } from 'zod';
import { PermanentError } from '../errors/index.js';
import { formatIssues } from '../lib/zod-issues.js';

/**
 * slack_integrations.notification_settings: how an organization wants to hear from us. Validated on
 * write (`aexy slack settings`) and on every read: a value another program wrote that does not fit is
 * a clear permanent failure of the notification, never a guess (a guess could post a person's alert
 * in public). Every key is optional; `{}` (the contract's default) means every notification on, to
 * the default channel, no quiet hours, and no person-level alerts (they need a lead or a private
 * channel).
 *
 * ```json
 * {
 *   "notifications": {
 *     "weekly_team_summary": { "enabled": true, "channel": "C0TEAMS" },
 *     "sync_failure_digest": { "enabled": false },
 *     "team_alert":          { "channel": "C0ENG" },
 *     "person_alert":        { "enabled": true },
 *     "export_ready":        { "enabled": true },
 *     "report_delivery":     { "channel": "C0REPORTS" },
 *     "career_progress":     { "enabled": true },
 *     "agreement_alert":     { "channel": "C0ENG" }
 *   },
 *   "quiet_hours": { "start": "20:00", "end": "08:00", "timezone": "Europe/Berlin" },
 *   "team_leads": { "<team uuid>": ["U0LEAD", "U0MANAGER"] },
 *   "private_alert_channel": "G0PEOPLE"
 * }
 * ```
 */
export const NOTIFICATION_TYPES = [
  'person_alert',
  'team_alert',
  'weekly_team_summary',
  'sync_failure_digest',
  'export_ready',
  'report_delivery',
  'career_progress',
  'agreement_alert',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** Kinds that go to one person (a DM), never to a channel: a `channel` for them is refused. */
const PRIVATE_KINDS: readonly NotificationType[] = ['person_alert', 'export_ready', 'career_progress'];

const channelId = z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'must be a Slack channel id (C… or G…)');
const userId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'must be a Slack user id (U… or W…)');
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h)');
const timezone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone (e.g. Europe/Berlin, UTC)');

const route = z.object({ enabled: z.boolean().default(true), channel: channelId.optional() }).strict();

export const notificationSettingsSchema = z
  .object({
    notifications: z
      .partialRecord(z.enum(NOTIFICATION_TYPES, { message: `must be one of ${NOTIFICATION_TYPES.join(', ')}` }), route)
      .default({})
      .superRefine((n, ctx) => {
        for (const kind of PRIVATE_KINDS)
          if (n[kind]?.channel)
            ctx.addIssue({
              code: 'custom',
              path: [kind, 'channel'],
              message: `${kind} goes to people directly, never to a channel (use private_alert_channel)`,
            });
      }),
    quiet_hours: z
      .object({ start: clock, end: clock, timezone: timezone.default('UTC') })
      .strict()
      .refine((q) => q.start !== q.end, 'start and end must differ')
      .optional(),
    team_leads: z.record(z.uuid({ message: 'keys must be team UUIDs' }), z.array(userId).min(1).max(20)).default({}),
    private_alert_channel: channelId.optional(),
  })
  .strict();
export type NotificationSettings = z.infer<typeof notificationSettingsSchema>;

/** The stored settings, validated; invalid ones are a PermanentError naming each problem. */
export function parseNotificationSettings(value: unknown, integration: string): NotificationSettings {
  const parsed = notificationSettingsSchema.safeParse(value ?? {});
  if (!parsed.success) throw new PermanentError(`notification_settings of Slack integration ${integration} are invalid: ${formatIssues(parsed.error)}`);
  return parsed.data;
}

/** Whether a kind is on, and the channel it goes to (null: the integration's default channel). */
export function routeOf(settings: NotificationSettings, kind: NotificationType): { enabled: boolean; channel: string | null } {
  const r = settings.notifications[kind];
  return { enabled: r?.enabled ?? true, channel: r?.channel ?? null };
}

/** The Slack users who lead or manage any of these teams. */
export function leadsOf(settings: NotificationSettings, teamIds: string[]): string[] {
  return [...new Set(teamIds.flatMap((t) => settings.team_leads[t] ?? []))];
}

/** Minutes since midnight of `at` on the wall clock of `timezone`. */
function localMinutes(at: Date, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

/**
 * When quiet hours are on at `now`, the moment they end (the notification waits until then);
 * otherwise null. A period may wrap midnight (20:00-08:00). Computed on the time zone's wall clock.
 */
export function quietUntil(settings: NotificationSettings, now: Date): Date | null {
  const q = settings.quiet_hours;
  if (!q) return null;
  const at = localMinutes(now, q.timezone);
  const start = minutesOf(q.start);
  const end = minutesOf(q.end);
  const inside = start < end ? at >= start && at < end : at >= start || at < end;
  if (!inside) return null;
  const wait = (end - at + 1440) % 1440;
  // From the minute's start; a run that still lands inside (a DST change) simply waits again.
  return new Date(Math.floor(now.getTime() / 60_000) * 60_000 + wait * 60_000);
}
