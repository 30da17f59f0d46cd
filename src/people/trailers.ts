/**
 * Commit-message trailers read as git reads them (trailer.c, `git log --format=%(trailers)`), so a
 * `Co-authored-by:` quoted in the middle of a message, or in its subject, credits nobody:
 * - trailing blank and comment (`#`) lines are not part of the message (a `---` line is not a
 *   divider here, as in `git log`'s `%(trailers)`);
 * - the first paragraph is the title and never holds trailers;
 * - the trailer block is the last paragraph, if its lines are all trailers (`Token: value`, the
 *   token letters, digits and dashes, continuation lines indented), or if it holds a git-generated
 *   one (`Signed-off-by: `, `(cherry picked from commit `) and at least a quarter of it are trailers.
 */

const GIT_GENERATED = ['Signed-off-by: ', '(cherry picked from commit '];

const isBlank = (line: string) => line.trim() === '';
const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';

/** Where `:` separates a token from its value (git's find_separator), or -1. */
function separatorAt(line: string): number {
  let whitespace = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === ':') return i;
    if (!whitespace && (/[A-Za-z0-9]/.test(c) || c === '-')) continue;
    if (i !== 0 && (c === ' ' || c === '\t')) {
      whitespace = true;
      continue;
    }
    break;
  }
  return -1;
}

/** The lines of the trailer block (empty when there is none). */
export function trailerBlock(message: string): string[] {
  const lines = message.split('\n');
  // Trailing blank and comment lines are not part of the message.
  while (lines.length && (isBlank(lines.at(-1)!) || lines.at(-1)!.startsWith('#'))) lines.pop();
  // The title: up to the first blank line (comment lines skipped).
  let endOfTitle = 0;
  while (endOfTitle < lines.length && (lines[endOfTitle]!.startsWith('#') || !isBlank(lines[endOfTitle]!))) endOfTitle++;
  if (endOfTitle >= lines.length) return [];

  let trailers = 0;
  let nonTrailers = 0;
  let continuations = 0;
  let recognised = false;
  let onlySpaces = true;
  for (let i = lines.length - 1; i >= endOfTitle; i--) {
    const line = lines[i]!;
    if (line.startsWith('#')) {
      nonTrailers += continuations;
      continuations = 0;
      continue;
    }
    if (isBlank(line)) {
      if (onlySpaces) continue;
      nonTrailers += continuations;
      if ((recognised && trailers * 3 >= nonTrailers) || (trailers > 0 && nonTrailers === 0)) return lines.slice(i + 1);
      return [];
    }
    onlySpaces = false;
    if (GIT_GENERATED.some((p) => line.startsWith(p))) {
      trailers++;
      continuations = 0;
      recognised = true;
      continue;
    }
    if (separatorAt(line) >= 1 && !isSpace(line[0])) {
      trailers++;
      continuations = 0;
    } else if (isSpace(line[0])) continuations++;
    else {
      nonTrailers++;
      nonTrailers += continuations;
      continuations = 0;
    }
  }
  return [];
}

/** The values of the block's trailers whose token is `key` (case-insensitive), continuation lines unfolded with a space. */
export function trailerValues(message: string, key: string): string[] {
  const out: { token: string; value: string }[] = [];
  for (const line of trailerBlock(message)) {
    if (line.startsWith('#')) continue;
    if (isSpace(line[0]) && out.length) {
      out.at(-1)!.value += ` ${line.trim()}`;
      continue;
    }
    const sep = separatorAt(line);
    if (sep >= 1 && !isSpace(line[0])) out.push({ token: line.slice(0, sep).trim(), value: line.slice(sep + 1).trim() });
    else if (GIT_GENERATED[1] && line.startsWith(GIT_GENERATED[1])) out.push({ token: '', value: line });
    else out.push({ token: '', value: '' }); // a non-trailer line ends any continuation
  }
  return out.filter((t) => t.token.toLowerCase() === key.toLowerCase()).map((t) => t.value);
}
