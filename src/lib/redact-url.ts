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

/** A path with query string safe to log: the values of `sig`, `signature`, `token`, `access_token` and `code` replaced by `[redacted]`. */
export function redactQuerySecrets(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const key of [...params.keys()]) if (/^(sig|signature|token|access_token|code)$/i.test(key)) params.set(key, '[redacted]');
  return `${url.slice(0, q)}?${params.toString()}`;
}
