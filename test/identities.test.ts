import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { detectLanguage } from '../src/github/api/languages.js';
import { botReason } from '../src/people/bots.js';
import { GitRepo } from '../src/dev/git-repo.js';
import { normaliseEmail, parseCoAuthors, parseNoreply } from '../src/people/identities.js';

describe('identities, co-authors and bots', () => {
  it('GitHub noreply addresses name the account: by id (newer form) or by login (older form)', () => {
    expect(parseNoreply('5005+frank-gh@users.noreply.github.com')).toEqual({ id: 5005, login: 'frank-gh' });
    expect(parseNoreply('49699333+dependabot[bot]@users.noreply.github.com')).toBeNull(); // not a login GitHub users can have
    expect(parseNoreply('gina@users.noreply.github.com')).toEqual({ id: null, login: 'gina' });
    expect(parseNoreply('gina@github.com')).toBeNull();
    expect(parseNoreply('x+gina@users.noreply.github.com')).toBeNull();
  });

  it('emails are compared lower-cased and trimmed; what is not an email is nothing', () => {
    expect(normaliseEmail('  Alice@Acme.Example ')).toBe('alice@acme.example');
    expect(normaliseEmail('not an email')).toBeNull();
    expect(normaliseEmail('')).toBeNull();
    expect(normaliseEmail(null)).toBeNull();
    expect(normaliseEmail(`${'a'.repeat(320)}@x.example`)).toBeNull();
  });

  it("Co-authored-by trailers are read by git's rules: the same credits as git log %(trailers) on every message", () => {
    const messages = [
      // All trailers: each email once, any case of the token.
      'Pair on the parser\n\nCo-authored-by: Bob Builder <Bob@Acme.example>\nco-authored-by: Dana <dana@home.example>\nCo-Authored-By: Bob again <bob@acme.example>\n',
      // One line that is no trailer, none git-generated: not a trailer block at all.
      'Pair\n\nCo-authored-by: Bob <bob@acme.example>\nNot a trailer: Co-authored-by: Eve <eve@x.example>\n',
      // A Signed-off-by makes a block that is a quarter trailers count.
      'Fix\n\nbody text\nSigned-off-by: Me <me@x.example>\nCo-authored-by: Carol <carol@x.example>\nmore\nmore2\n',
      // Quoted in the body, not the last paragraph: nobody.
      'Revert\n\nThis reverts the commit that said\nCo-authored-by: Mallory <mallory@x.example>\n\nfor good reasons.\n',
      // The subject is never a trailer.
      'Co-authored-by: Subject <subject@x.example>\n',
      // Continuation lines, trailing blank and comment lines, CRLF-free tabs.
      'S\n\nCo-authored-by: Dana\n  Dee <dana@home.example>\nCo-authored-by:\tTab <tab@x.example>\n\n\n# a comment\n',
      // A divider line is no divider in %(trailers).
      'S\n\nCo-authored-by: A <a@x.example>\n---\nCo-authored-by: B <b@x.example>\n',
      'S\n\nbody\n\nReviewed-by: R <r@x.example>\nCo-authored-by: Frank <5005+frank-gh@users.noreply.github.com>\n',
      'no trailers at all\n',
    ];
    const repo = new GitRepo();
    try {
      for (const [i, m] of messages.entries()) {
        repo.write('f.txt', `${i}\n`);
        repo.git('add', '-A');
        repo.git('commit', '-q', '--cleanup=verbatim', '-m', m);
        const byGit = repo
          .git('log', '-1', '--format=%(trailers:key=Co-authored-by,valueonly,unfold,separator=%x00)')
          .replace(/\n$/, '')
          .split('\0')
          .filter(Boolean)
          .flatMap((v) => {
            const match = /^(.*?)\s*<([^<>\s]+)>$/.exec(v.trim());
            return match ? [{ email: match[2]!.toLowerCase(), name: match[1]! }] : [];
          });
        const unique = byGit.filter((c, j) => byGit.findIndex((o) => o.email === c.email) === j); // each email once, first name
        const message = repo.git('log', '-1', '--format=%B');
        expect(parseCoAuthors(message), m).toEqual(unique);
      }
    } finally {
      repo.remove();
    }
    expect(parseCoAuthors(messages[0])).toEqual([
      { email: 'bob@acme.example', name: 'Bob Builder' },
      { email: 'dana@home.example', name: 'Dana' },
    ]);
    expect(parseCoAuthors(messages[3])).toEqual([]);
    expect(parseCoAuthors(null)).toEqual([]);
  });

  it('bots: GitHub type Bot and [bot] logins; configured logins are validated', () => {
    expect(botReason({ login: 'dependabot[bot]', type: 'Bot' })).toBe('github-type');
    expect(botReason({ login: 'renovate[bot]' })).toBe('bot-login');
    expect(botReason({ login: 'alice', type: 'User' })).toBeNull();
    expect(loadConfig({ GITHUB_BOT_LOGINS: ' CI-Robot, release-bot ,' }).GITHUB_BOT_LOGINS).toEqual(['ci-robot', 'release-bot']);
    expect(() => loadConfig({ GITHUB_BOT_LOGINS: 'ok, not a login!' })).toThrow(/GITHUB_BOT_LOGINS.*GitHub logins/);
  });

  it('.txt is Text, not Adblock Filter List', () => {
    expect(detectLanguage('docs/notes.txt')).toBe('Text');
    expect(detectLanguage('requirements.txt')).not.toBe('Adblock Filter List');
  });
});
