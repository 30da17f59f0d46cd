/**
 * Bots are accounts that are not people: GitHub's type "Bot" (apps such as dependabot[bot]),
 * logins ending in "[bot]", and the logins of GITHUB_BOT_LOGINS. They stay stored with their
 * commits, pull requests and reviews; every person-level number reads the counted_* views, which
 * leave them out.
 */
export type BotReason = 'github-type' | 'bot-login' | 'configured';

export function botReason(user: { login: string; type?: string | null }): BotReason | null {
  if (user.type === 'Bot') return 'github-type';
  if (/\[bot\]$/i.test(user.login)) return 'bot-login';
  return null;
}
