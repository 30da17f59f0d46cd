/** Team working agreements: defining them (the TS API the CLI uses), previewing them, and their alerts (jobs/agreement-evaluate). */
export { changeAgreement, createAgreement, listAgreements, pauseAgreement, previewAgreement, type AgreementInput } from './service.js';
export { organizationToEvaluate } from './queries.js';
export type { AgreementRow } from './queries.js';
