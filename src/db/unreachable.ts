import { redactUrl } from '../lib/redact-url.js';

/**
 * A PostgreSQL connection failure as one sentence that names the server (password masked), what
 * went wrong and what to do — instead of a bare `ECONNREFUSED` object that never says it was
 * PostgreSQL or DATABASE_URL.
 */
export class DatabaseUnreachableError extends Error {
  override name = 'DatabaseUnreachableError';
}

const SERVER_GONE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET']);

/** Leave other errors as they are; translate the ones that mean "cannot reach or enter PostgreSQL". */
export function describeDatabaseError(err: unknown, url: string): unknown {
  const e = err as { code?: string; message?: string; errors?: { code?: string }[] };
  // node-postgres wraps "every address refused" (IPv4 and IPv6) in an AggregateError.
  const code = e?.code ?? e?.errors?.find((x) => x.code)?.code;
  const where = `PostgreSQL at ${redactUrl(url)}`;
  if ((code && SERVER_GONE.has(code)) || /timeout expired|Connection terminated/i.test(e?.message ?? '')) {
    return new DatabaseUnreachableError(`${where} is unreachable (${code ?? e?.message}): start PostgreSQL, or point DATABASE_URL at a server that is up`);
  }
  if (code === '28P01' || code === '28000')
    return new DatabaseUnreachableError(`${where} refused the credentials (${code}): check the user and password in DATABASE_URL`);
  if (code === '3D000') return new DatabaseUnreachableError(`${where}: the database does not exist (3D000): run \`npx aexy migrate\`, which creates it`);
  return err;
}
