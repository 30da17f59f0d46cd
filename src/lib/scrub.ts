/**
 * Secrets out of text that leaves the process (logs, failedReason, return values, rows): upstream
 * servers echo what they were sent — an Authorization header in an error body, a URL with its
 * password — and that text must not carry our credentials onwards.
 *
 * Scrubbed: every configured secret value (and the parts of the composite ones: the password of
 * SMTP_URL, each key of ENCRYPTION_KEYS), and anything shaped like a GitHub, Slack or OpenAI token
 * or a bearer credential, whoever it belongs to.
 */
export const REDACTED = '[redacted]';

const TOKEN_SHAPES = [
  /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /\bxox[abposre]-[A-Za-z0-9-]{8,}/g,
  /\bsk-[A-Za-z0-9_-]{16,}/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  // A credential after its scheme: long, and with a digit (so prose like "Basic authentication" stays).
  /\b(Bearer|token|Basic)\s+(?=[A-Za-z._~+/=-]*\d)[A-Za-z0-9._~+/=-]{12,}/g,
];

export type Scrubber = (text: string) => string;

/** A scrubber of these secret values (the configuration's: `secretValues(config)`, src/config/secret-values.ts) and every token shape. */
export function createScrubber(secrets: readonly string[]): Scrubber {
  // Longest first, so a value containing another is replaced whole.
  const values = secrets.filter((v) => v.length >= 6).sort((a, b) => b.length - a.length);
  return (text) => {
    let s = text;
    for (const v of values) if (s.includes(v)) s = s.split(v).join(REDACTED);
    // Only the bearer shape captures its scheme (for the others the second argument is the match's offset).
    for (const shape of TOKEN_SHAPES) s = s.replace(shape, (_m, scheme: unknown) => (typeof scheme === 'string' ? `${scheme} ${REDACTED}` : REDACTED));
    return s;
  };
}

/** Scrub an error's message and stack in place (they are what logs and failedReason show). */
export function scrubError(err: unknown, scrub: Scrubber): void {
  if (!(err instanceof Error)) return;
  err.message = scrub(err.message);
  if (err.stack) err.stack = scrub(err.stack);
}

/** A JSON-able value with every string scrubbed (return values, progress). */
export function scrubValue<T>(value: T, scrub: Scrubber): T {
  if (value === undefined || value === null) return value;
  const json = JSON.stringify(value);
  if (json === undefined) return value;
  const clean = scrub(json);
  return clean === json ? value : (JSON.parse(clean) as T);
}
