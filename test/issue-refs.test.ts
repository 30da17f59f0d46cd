import { describe, expect, it } from 'vitest';
import { issueRefs } from '../src/github/sync/issue-refs.js';

describe('references to issues in text', () => {
  const refs = (text: string) => issueRefs(text, 'acme/app').map((r) => `${r.jiraKey ?? `${r.repository}#${r.number}`}${r.closing ? ' closes' : ''}`);

  it("GitHub's closing keywords, in every form GitHub documents, close; other mentions only refer", () => {
    expect(refs('Fixes #12 and closes acme/other#3; see #4')).toEqual(['acme/app#12 closes', 'acme/other#3 closes', 'acme/app#4']);
    expect(refs('RESOLVED: https://github.com/acme/app/issues/9')).toEqual(['acme/app#9 closes']);
    expect(refs('Closes HTTPS://GITHUB.COM/acme/app/ISSUES/9')).toEqual(['acme/app#9 closes']);
    expect(refs('close #1, closed #2, fix #3, fixed #4, resolve #5')).toEqual([1, 2, 3, 4, 5].map((n) => `acme/app#${n} closes`));
    // Mentioned twice, once closing: closing.
    expect(refs('refs #12; fixes #12')).toEqual(['acme/app#12 closes']);
  });

  it('not a reference: inside a word, an HTML entity, a URL fragment, issue 0', () => {
    expect(refs('abc#12 &#39; http://x/y#3 #0 prefixes#5')).toEqual([]);
  });

  it('Jira keys: a capital project key and a number, alone or in a branch name', () => {
    expect(refs('feature/ABC-123-login')).toEqual(['ABC-123']);
    expect(refs('PROJ_2-7 and abc-1 and AB-0')).toEqual(['PROJ_2-7']);
  });
});
