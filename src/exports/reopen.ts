import type { EntityManager } from '@mikro-orm/postgresql';
import { reopenFailedExport } from './queries.js';

/**
 * Before an operator's retry of a failed `export.process` job (`aexy jobs retry`): a failed export
 * goes back to pending, so the job really produces its file again (the job skips an export that is
 * not pending or processing). An export that completed, expired or is gone is not redone: the
 * reason is returned, and the job is not retried.
 */
export async function reopenExport(em: EntityManager, exportJobId: string): Promise<{ reopened: true } | { refused: string }> {
  const status = await reopenFailedExport(em, exportJobId);
  if (!status) return { refused: `export ${exportJobId} no longer exists` };
  if (status === 'failed' || status === 'pending' || status === 'processing') return { reopened: true };
  return { refused: `export ${exportJobId} is ${status}: there is nothing to redo (request a new export)` };
}
