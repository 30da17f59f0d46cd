/**
 * Text from outside (GitHub, Slack, users) made storable in PostgreSQL:
 * - U+0000 is removed: neither TEXT nor JSONB can hold it ("invalid byte sequence for encoding
 *   UTF8: 0x00", "unsupported Unicode escape sequence"), and one NUL in a commit message must not
 *   fail the sync of a whole page;
 * - lone UTF-16 surrogates become U+FFFD (JSONB rejects "\ud800" without its pair);
 * - longer than `max` characters: cut (marker included, the result is at most `max` long) with a
 *   marker giving the original length, so one
 *   pathological value cannot bloat every report and export that shows it.
 * Everything else — emoji, RTL marks, combining characters, quotes, SQL-looking text — is kept
 * exactly: values only ever travel as bound parameters.
 */
export function storableText(value: string, max = MAX_TEXT): string {
  let s = value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
  s = wellFormed(s);
  if (s.length <= max) return s;
  // The result, marker included, fits in `max` (a VARCHAR(255) column must take it as is).
  const long = `… [truncated from ${s.length} characters]`;
  const marker = long.length * 4 <= max ? long : '…';
  // wellFormed again: the cut may fall between the halves of a surrogate pair.
  return wellFormed(s.slice(0, max - marker.length)) + marker;
}

export function storableTextOrNull(value: string | null | undefined, max = MAX_TEXT): string | null {
  return value == null ? null : storableText(value, max);
}

/** 64 Ki characters: far above any real commit message or PR description. */
export const MAX_TEXT = 65_536;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** String.prototype.toWellFormed (ES2024), spelled out for the ES2023 library we compile against. */
function wellFormed(s: string): string {
  return s.replace(LONE_SURROGATE, '\uFFFD');
}
