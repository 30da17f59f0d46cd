/** A Slack conversation id a report can be posted to: a public (C…) or private (G…) channel. */
export function isSlackChannelId(value: string): boolean {
  return /^[CG][A-Z0-9]{2,}$/.test(value);
}
