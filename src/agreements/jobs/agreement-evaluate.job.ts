import { defineJob } from '../../jobs/handler.js';
import { evaluateAgreements } from '../alerts.js';
import { organizationsWithAgreements } from '../queries.js';
import { agreementEvaluate } from './agreement-evaluate.contract.js';

export const agreementEvaluateJob = defineJob(agreementEvaluate, async ({ organizationId }, ctx) => {
  if (organizationId) return evaluateAgreements(ctx, organizationId);
  const organizations = await organizationsWithAgreements(ctx.em);
  for (const id of organizations) ctx.enqueueAfter(agreementEvaluate, { organizationId: id });
  return { queued: organizations.length };
});
