/** Whether a setting is a regular expression JavaScript accepts (matched case-insensitively where it is used). */
export function isRegularExpression(source: string): boolean {
  try {
    new RegExp(source, 'i');
    return true;
  } catch {
    return false;
  }
}

/** Whether a text is a UUID (as PostgreSQL's uuid type reads one, hyphenated). */
export const isUuid = (text: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);
