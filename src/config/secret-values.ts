import { SECRET_KEYS, type AppConfig } from './schema.js';

/**
 * Every configured secret value a scrubber must replace (src/lib/scrub.ts): each secret setting, and
 * the parts of the composite ones (the password of SMTP_URL, each key of ENCRYPTION_KEYS).
 */
export function secretValues(config: AppConfig): string[] {
  const out = new Set<string>();
  for (const key of SECRET_KEYS) {
    const value = (config as Record<string, unknown>)[key];
    if (typeof value !== 'string' || value.length < 6) continue;
    out.add(value);
    if (key === 'SMTP_URL') {
      try {
        const u = new URL(value);
        if (u.password.length >= 4) out.add(decodeURIComponent(u.password)).add(u.password);
      } catch {
        /* not a URL: the whole value is scrubbed */
      }
    }
    if (key === 'ENCRYPTION_KEYS') for (const entry of value.split(',')) out.add(entry.split(':')[1] ?? entry);
  }
  // createScrubber leaves out the short ones and orders the rest.
  return [...out];
}
