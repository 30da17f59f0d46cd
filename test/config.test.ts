import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from '../src/config/index.js';
import { redactUrl } from '../src/lib/redact-url.js';

describe('config', () => {
  it('applies defaults and coerces numbers', () => {
    const c = loadConfig({ WORKER_CONCURRENCY: '8' });
    expect(c.WORKER_CONCURRENCY).toBe(8);
    expect(c.QUEUE_PREFIX).toBe('aexy');
    expect(c.DATABASE_URL).toMatch(/^postgres:\/\//);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ REDIS_URL: '' }).REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it('lists every bad value with a precise message', () => {
    let error: unknown;
    try {
      loadConfig({ REDIS_URL: 'http://x', WORKER_CONCURRENCY: 'lots', LOG_LEVEL: 'loud', QUEUE_PREFIX: 'has space', PRODUCTION_ENVIRONMENT_PATTERN: '^(prod' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toContain('REDIS_URL: must be a Redis URL');
    expect(problems.join('\n')).toContain('WORKER_CONCURRENCY: must be a number (got "lots")');
    expect(problems.join('\n')).toMatch(/LOG_LEVEL: .*got "loud"/);
    expect(problems.join('\n')).toMatch(/QUEUE_PREFIX: must be 1-64 characters/);
    expect(problems.join('\n')).toContain('PRODUCTION_ENVIRONMENT_PATTERN: must be a regular expression (got "^(prod")');
  });

  it('never prints credentials', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://app:s3cret@db:5432/aexy', REDIS_URL: 'redis://:hunter2@cache:6379' });
    const shown = JSON.stringify(describeConfig(c));
    expect(shown).not.toContain('s3cret');
    expect(shown).not.toContain('hunter2');
    expect(shown).toContain('postgres://app:***@db:5432/aexy');
    expect(redactUrl('not a url')).toBe('***');
  });

  it('github-sync shards: a worker owns shards of the configured count only; Redis Cluster needs a hash-tagged prefix', () => {
    expect(loadConfig({ GITHUB_SYNC_SHARDS: '4', GITHUB_SYNC_SHARDS_OWNED: '0,3' })).toMatchObject({ GITHUB_SYNC_SHARDS: 4, GITHUB_SYNC_SHARDS_OWNED: '0,3' });
    expect(() => loadConfig({ GITHUB_SYNC_SHARDS: '4', GITHUB_SYNC_SHARDS_OWNED: '1,4,7' })).toThrow(
      'GITHUB_SYNC_SHARDS_OWNED: shard 4, 7 is not one of the 4 of GITHUB_SYNC_SHARDS (0 to 3)',
    );
    expect(() => loadConfig({ GITHUB_SYNC_SHARDS_OWNED: 'a,b' })).toThrow('GITHUB_SYNC_SHARDS_OWNED: must be shard numbers separated by commas');
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:7000', QUEUE_PREFIX: 'aexy' })).toThrow(/it must hold a hash tag, e\.g\. \{aexy\}/);
    expect(loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000', QUEUE_PREFIX: '{aexy}' }).REDIS_CLUSTER_NODES).toBe('10.0.0.1:7000');
  });

  it('a GitHub App needs its id and a PEM private key, which is never echoed', () => {
    const pem = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
    // One line, as a .env file holds it.
    const c = loadConfig({ GITHUB_APP_ID: '424242', GITHUB_APP_PRIVATE_KEY: pem.replace(/\n/g, '\\n') });
    expect(c.GITHUB_APP_PRIVATE_KEY).toBe(pem.trim());
    expect(JSON.stringify(describeConfig(c))).not.toContain('PRIVATE KEY');

    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    expect(problems({ GITHUB_APP_ID: '424242' })).toEqual([
      'GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY: a GitHub App needs both (or set neither and use GITHUB_TOKEN)',
    ]);
    expect(problems({ GITHUB_APP_ID: 'my-app', GITHUB_APP_PRIVATE_KEY: '-----BEGIN RSA PRIVATE KEY-----' })).toEqual([
      `GITHUB_APP_ID: must be the App's numeric id (got "my-app")`,
      'GITHUB_APP_PRIVATE_KEY: must be the PEM private key GitHub generated for the App (newlines may be written as \\n) (got (value hidden))',
    ]);
  });
});
