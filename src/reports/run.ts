import type { EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { onceEach, pooledQueries } from '../db/sql.js';
import { writeAtomically } from '../lib/atomic-file.js';
import { PermanentError } from '../errors/index.js';
import { buildReportData, type ReportData } from './data.js';
import { customReport } from './queries.js';
import { renderReport, type ReportFormat } from './render.js';

/** Widgets of one report evaluated at once (each a few statements in turn). */
const REPORT_CONCURRENCY = 3;

export interface RenderedReport {
  path: string;
  bytes: number;
  data: ReportData;
}

/**
 * Render a custom report to a file in `dir`. Unknown report → PermanentError. With `forOrganization`
 * (an export's), a report of another organization is refused; `reader` is who asked (the
 * organization's policy may show them numbers per person).
 */
export async function runCustomReport(
  em: EntityManager,
  reportId: string,
  format: ReportFormat,
  dir: string,
  now = new Date(),
  forOrganization?: string,
  /** who asked for it (an export's requester): see buildReportData */
  reader: string | null = null,
): Promise<RenderedReport> {
  const report = await customReport(em, reportId);
  if (!report) throw new PermanentError(`Custom report ${reportId} does not exist`);
  // Its widgets run REPORT_CONCURRENCY at a time, each statement on a connection of the pool; a
  // statement several widgets make (the same metric, scope and window) runs once.
  const data = await buildReportData(onceEach(pooledQueries(em)) as pg.Pool, report, now, forOrganization, reader, REPORT_CONCURRENCY);
  const bytes = await renderReport(data, format);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const path = await writeAtomically(dir, `report-${reportId}-${stamp}.${format}`, bytes);
  return { path, bytes: bytes.length, data };
}
