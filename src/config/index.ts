import { envSchema, SECRET_KEYS, type AppConfig } from './schema.js';
import { redactUrl } from '../lib/redact-url.js';

export type { AppConfig } from './schema.js';

/** Thrown at boot when the environment is invalid; lists every bad variable, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parse and validate settings from `env`. Empty strings count as unset so that `FOO=` in a
 * .env file falls back to the default instead of failing on an empty URL.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const input: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = envSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '?');
      // Secrets are never echoed, not even when they are wrong.
      const shown = SECRET_KEYS.has(key) ? '(value hidden)' : JSON.stringify(input[key]);
      return `${key}: ${issue.message} (got ${shown})`;
    });
    throw new ConfigError(problems);
  }
  if (result.data.REDIS_CLUSTER_NODES && !/\{[^{}]+\}/.test(result.data.QUEUE_PREFIX)) {
    throw new ConfigError([
      `QUEUE_PREFIX: on Redis Cluster (REDIS_CLUSTER_NODES) it must hold a hash tag, e.g. {${result.data.QUEUE_PREFIX.replace(/[{}]/g, '')}}, so each queue's keys share a slot (got ${JSON.stringify(result.data.QUEUE_PREFIX)})`,
    ]);
  }
  const owned = result.data.GITHUB_SYNC_SHARDS_OWNED?.split(',').map(Number) ?? [];
  const outside = owned.filter((k) => k >= result.data.GITHUB_SYNC_SHARDS);
  if (outside.length) {
    throw new ConfigError([
      `GITHUB_SYNC_SHARDS_OWNED: shard ${outside.join(', ')} is not one of the ${result.data.GITHUB_SYNC_SHARDS} of GITHUB_SYNC_SHARDS (0 to ${result.data.GITHUB_SYNC_SHARDS - 1})`,
    ]);
  }
  if (!result.data.GITHUB_APP_ID !== !result.data.GITHUB_APP_PRIVATE_KEY) {
    throw new ConfigError(['GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY: a GitHub App needs both (or set neither and use GITHUB_TOKEN)']);
  }
  return result.data;
}

/** A copy of the config safe to print: secrets masked, URL credentials removed. */
export function describeConfig(config: AppConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (SECRET_KEYS.has(key)) out[key] = value === undefined ? undefined : '***';
    else if (typeof value === 'string' && key.endsWith('_URL')) out[key] = redactUrl(value);
    else out[key] = value;
  }
  return out;
}
