import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { detectLanguage } from '../src/github/languages.js';
import { botReason } from '../src/people/bots.js';
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

  it('Co-authored-by trailers: each email once, any case, only well-formed lines', () => {
    const message = [
      'Pair on the parser',
      '',
      'Co-authored-by: Bob Builder <Bob@Acme.example>',
      'co-authored-by: Dana <dana@home.example>',
      'Co-Authored-By: Bob again <bob@acme.example>',
      'Co-authored-by: no email here',
      'Not a trailer: Co-authored-by: Eve <eve@x.example>',
    ].join('\n');
    expect(parseCoAuthors(message)).toEqual([
      { email: 'bob@acme.example', name: 'Bob Builder' },
      { email: 'dana@home.example', name: 'Dana' },
    ]);
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
