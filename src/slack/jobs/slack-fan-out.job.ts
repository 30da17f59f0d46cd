import { defineJob } from '../../jobs/handler.js';
import { resolveStalePending } from '../client.js';
import { fanOutTargets } from '../notifications.js';
import { slackFanOut } from './slack-fan-out.contract.js';
import { slackNotify } from './slack-notify.contract.js';

export const slackFanOutJob = defineJob(slackFanOut, async ({ kind }, ctx) => {
  // Daily housekeeping too: attempts a dead worker left pending are resolved as "outcome unknown".
  await resolveStalePending(ctx.em, null);
  const targets = await fanOutTargets(ctx, kind);
  for (const id of targets) {
    ctx.enqueueAfter(slackNotify, kind === 'sync_failure_digest' ? { kind, organizationId: id } : { kind, teamId: id });
  }
  return { queued: targets.length };
});
