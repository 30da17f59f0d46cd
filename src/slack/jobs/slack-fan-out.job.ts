import { defineJob } from '../../jobs/handler.js';
import { resolveStalePending } from '../client.js';
import { fanOutTargets } from '../notifications.js';
import { slackFanOut } from './slack-fan-out.contract.js';
import { slackNotify } from './slack-notify.contract.js';
import { slackMapUsers } from './slack-map-users.contract.js';

export const slackFanOutJob = defineJob(slackFanOut, async ({ kind }, ctx) => {
  // Daily housekeeping too: attempts a dead worker left pending are resolved as "outcome unknown".
  await resolveStalePending(ctx.em, null);
  const targets = await fanOutTargets(ctx, kind);
  for (const id of targets) {
    if (kind === 'map_users') ctx.enqueueAfter(slackMapUsers, { organizationId: id });
    else ctx.enqueueAfter(slackNotify, kind === 'sync_failure_digest' ? { kind, organizationId: id } : { kind, teamId: id });
  }
  return { queued: targets.length };
});
