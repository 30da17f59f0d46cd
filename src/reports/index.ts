/** The reports feature's public module: running a report and its rendered output. */
export { REPORT_FORMATS, type ReportFormat } from './render.js';
export { runCustomReport } from './run.js';
