/**
 * A spreadsheet evaluates a cell that starts with = + - @ (or a tab / carriage return / line feed)
 * as a formula (CSV injection, OWASP), also after leading blanks (spaces, NBSP, zero-width spaces)
 * and in the full-width forms ＝ ＋ － ＠. Such text cells are prefixed with an apostrophe, which
 * spreadsheets show as plain text. Numbers are not strings and are left alone. The SQL twin is
 * FORMULA_SQL_PATTERN (src/exports/definitions.ts).
 */
export const FORMULA_PATTERN = /^[ \t\r\n\v\f\u00a0\u1680\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]*[=+@\uff1d\uff0b\uff0d\uff20-]|^[\t\r\n]/;

export function neutraliseFormula(value: string): string {
  return FORMULA_PATTERN.test(value) ? `'${value}` : value;
}

/**
 * Every character a text matching FORMULA_PATTERN can start with (the blanks and the formula signs):
 * a text starting with none of them needs no regular expression (checked against FORMULA_PATTERN
 * over every UTF-16 code unit by a test).
 */
export const FORMULA_FIRST_CHARS =
  ' \t\r\n\v\f\u00a0\u1680' +
  Array.from({ length: 0x200e - 0x2000 }, (_, i) => String.fromCharCode(0x2000 + i)).join('') +
  '\u2028\u2029\u202f\u205f\u2060\u3000\ufeff=+@-\uff1d\uff0b\uff0d\uff20';
