import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../db/sql.js';

/** A claim another job holds for longer than this is taken to belong to a job that died. */
export const STALE_CLAIM_MINUTES = 15;

export type ClaimOutcome = 'claimed' | 'sent' | 'held';

/**
 * Claim one channel of one slot of a scheduled report before sending it there: only one job can
 * hold it. The same job (a retry) claims it again; a claim of another job older than
 * STALE_CLAIM_MINUTES is taken over. Returns 'sent' when the slot was already delivered there, and
 * 'held' when another job is delivering it now.
 */
export async function claimDelivery(
  em: EntityManager,
  scheduledReportId: string,
  slot: Date,
  channel: 'email' | 'slack',
  jobId: string,
): Promise<ClaimOutcome> {
  const claimed = await sql(
    em,
    `INSERT INTO report_deliveries (scheduled_report_id, slot, channel, status, job_id) VALUES (?, ?, ?, 'claimed', ?)
     ON CONFLICT (scheduled_report_id, slot, channel) DO UPDATE SET job_id = EXCLUDED.job_id, claimed_at = now()
      WHERE report_deliveries.status = 'claimed'
        AND (report_deliveries.job_id = EXCLUDED.job_id OR report_deliveries.claimed_at < now() - make_interval(mins => ?))
     RETURNING 1`,
    [scheduledReportId, slot.toISOString(), channel, jobId, STALE_CLAIM_MINUTES],
  );
  if (claimed.length > 0) return 'claimed';
  const [row] = await sql<{ status: string }>(em, `SELECT status FROM report_deliveries WHERE scheduled_report_id = ? AND slot = ? AND channel = ?`, [
    scheduledReportId,
    slot.toISOString(),
    channel,
  ]);
  return row?.status === 'sent' ? 'sent' : 'held';
}

export async function markDelivered(em: EntityManager, scheduledReportId: string, slot: Date, channel: 'email' | 'slack'): Promise<void> {
  await sql(em, `UPDATE report_deliveries SET status = 'sent', sent_at = now() WHERE scheduled_report_id = ? AND slot = ? AND channel = ?`, [
    scheduledReportId,
    slot.toISOString(),
    channel,
  ]);
}

/** Give a claim back after a send that failed (nothing was delivered), so any job may try again. */
export async function releaseDelivery(em: EntityManager, scheduledReportId: string, slot: Date, channel: 'email' | 'slack', jobId: string): Promise<void> {
  await sql(em, `DELETE FROM report_deliveries WHERE scheduled_report_id = ? AND slot = ? AND channel = ? AND status = 'claimed' AND job_id = ?`, [
    scheduledReportId,
    slot.toISOString(),
    channel,
    jobId,
  ]);
}
