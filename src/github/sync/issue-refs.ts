/**
 * References to issues in the text of a pull request (title, body, branch) or a commit message:
 * - GitHub's closing keywords (docs.github.com, "Linking a pull request to an issue"): close, closes,
 *   closed, fix, fixes, fixed, resolve, resolves, resolved (any case, an optional colon) before `#n`,
 *   `owner/repo#n` or the issue's URL;
 * - plain references `#n` and `owner/repo#n` (not in the middle of a word, not `&#n;` entities);
 * - Jira keys `ABC-123` (a project key: a capital letter, then capitals, digits or `_`).
 * A reference without a repository is to the text's own repository.
 */
export interface IssueRef {
  /** owner/name of the GitHub repository (null for a Jira key) */
  repository: string | null;
  number: number | null;
  jiraKey: string | null;
  closing: boolean;
}

const REPO = '[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+';
const KEYWORDS = '(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)';
const CLOSING = new RegExp(`(?<![\\w/])${KEYWORDS}:?\\s+(?:https://github\\.com/(${REPO})/issues/(\\d+)|(${REPO})?#(\\d+))(?!\\w)`, 'gi');
const PLAIN = new RegExp(`(?<![\\w&/#])(${REPO})?#(\\d+)(?![\\w;])`, 'g');
const ISSUE_URL_PATH = /\/issues\//i;
const JIRA = /(?<![A-Za-z0-9_-])([A-Z][A-Z0-9_]+-[1-9]\d*)(?![A-Za-z0-9_])/g;

/** The references in one text, each once (a closing one counted as closing), in the order they appear. */
export function issueRefs(text: string | null | undefined, ownRepository: string, opts: { jira?: boolean; github?: boolean } = {}): IssueRef[] {
  if (!text) return [];
  const out = new Map<string, IssueRef>();
  const add = (r: IssueRef) => {
    const key = r.jiraKey ?? `${r.repository!.toLowerCase()}#${r.number}`;
    const had = out.get(key);
    if (!had) out.set(key, r);
    else if (r.closing) had.closing = true;
  };
  // Every GitHub reference holds a `#` or an issue URL (matched in any case, as CLOSING is), every
  // Jira key a `-`: a text without them is not scanned.
  if (opts.github !== false && (text.includes('#') || ISSUE_URL_PATH.test(text))) {
    for (const m of text.matchAll(CLOSING)) add({ repository: m[1] ?? m[3] ?? ownRepository, number: Number(m[2] ?? m[4]), jiraKey: null, closing: true });
    for (const m of text.matchAll(PLAIN)) add({ repository: m[1] ?? ownRepository, number: Number(m[2]), jiraKey: null, closing: false });
  }
  if (opts.jira !== false && text.includes('-')) for (const m of text.matchAll(JIRA)) add({ repository: null, number: null, jiraKey: m[1]!, closing: false });
  return [...out.values()].filter((r) => r.jiraKey !== null || (Number.isSafeInteger(r.number) && r.number! > 0));
}

/**
 * Where a reference was found, most telling first: one found in several places is stored as found in
 * the first. `link`: an issue linked to the pull request by hand on GitHub (its Development section),
 * which closes it on merge as a closing keyword does.
 */
export type FoundIn = 'link' | 'title' | 'branch' | 'body' | 'message';

/**
 * The references of one source, as stored: the issues GitHub says are linked to it by hand (closing),
 * then those of its texts; each target once (closing if any mention closes it).
 */
export function referenceRows(
  texts: { text: string | null | undefined; foundIn: FoundIn; github: boolean }[],
  ownRepository: string,
  linked: { repository: string; number: number }[] = [],
) {
  const out = new Map<
    string,
    { target: string; ref_repository: string | null; ref_number: number | null; jira_key: string | null; closing: boolean; found_in: FoundIn }
  >();
  for (const l of linked) {
    const target = `${l.repository.toLowerCase()}#${l.number}`;
    out.set(target, { target, ref_repository: l.repository, ref_number: l.number, jira_key: null, closing: true, found_in: 'link' });
  }
  for (const t of texts) {
    for (const r of issueRefs(t.text, ownRepository, { github: t.github })) {
      const target = r.jiraKey ?? `${r.repository!.toLowerCase()}#${r.number}`;
      const had = out.get(target);
      if (had) had.closing ||= r.closing;
      else out.set(target, { target, ref_repository: r.repository, ref_number: r.number, jira_key: r.jiraKey, closing: r.closing, found_in: t.foundIn });
    }
  }
  return [...out.values()];
}
