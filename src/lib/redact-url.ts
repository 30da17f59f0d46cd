/** A connection URL safe to print: its password replaced by `***` (unparseable: `***` altogether). */
export function redactUrl(value: string): string {
  try {
    const u = new URL(value);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '***';
  }
}
