/** Whether a setting is a regular expression JavaScript accepts (matched case-insensitively where it is used). */
export function isRegularExpression(source: string): boolean {
  try {
    new RegExp(source, 'i');
    return true;
  } catch {
    return false;
  }
}
