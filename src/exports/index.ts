/** The exports feature's public module: requesting an export, its status, reopening a failed one, and a download's file. */
export { ownExportFile } from './own-file.js';
export { exportForDownload, exportStatus } from './queries.js';
export { reopenExport } from './reopen.js';
export { requestExport } from './request.js';
