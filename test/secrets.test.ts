import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyRing } from '../src/crypto/secrets.js';
import { Queue } from 'bullmq';
import { loadConfig } from '../src/config/index.js';
import { deletePrefix, REDIS_URL } from './helpers/redis.js';
import { runCliProcess } from './helpers/spawn.js';
import { useTestWorld } from './hooks.js';

const key = () => randomBytes(32).toString('base64');

describe('secrets at rest (AES-256-GCM key ring)', () => {
  it('round-trips, with a fresh IV every time and the key id in the ciphertext', () => {
    const ring = new KeyRing(`k1:${key()}`);
    const a = ring.encrypt('xoxb-123');
    const b = ring.encrypt('xoxb-123');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1:k1:/);
    expect(a).not.toContain('xoxb');
    expect(ring.decrypt(a)).toBe('xoxb-123');
  });

  it('rotates: the first key encrypts, older keys still decrypt, stale values are detectable', () => {
    const k1 = key();
    const old = new KeyRing(`k1:${k1}`).encrypt('secret');
    const rotated = new KeyRing(`k2:${key()},k1:${k1}`);
    expect(rotated.decrypt(old)).toBe('secret');
    expect(rotated.isStale(old)).toBe(true);
    expect(rotated.isStale(rotated.encrypt('secret'))).toBe(false);
  });

  it('refuses tampered values and unknown keys with clear errors', () => {
    const ring = new KeyRing(`k1:${key()}`);
    const sealed = ring.encrypt('secret');
    const parts = sealed.split(':');
    parts[4] = Buffer.from('tampered').toString('base64');
    expect(() => ring.decrypt(parts.join(':'))).toThrow('Stored secret failed authentication with key "k1"');
    expect(() => new KeyRing(`k9:${key()}`).decrypt(sealed)).toThrow('encrypted with key "k1", which is not in ENCRYPTION_KEYS');
    expect(() => ring.decrypt('xoxb-plaintext')).toThrow('not in the v1 encrypted format');
    expect(() => KeyRing.fromConfig(undefined)).toThrow('ENCRYPTION_KEYS is not configured');
  });

  it('ENCRYPTION_KEYS is validated and never echoed; a key id twice is refused at boot', () => {
    expect(() => loadConfig({ ENCRYPTION_KEYS: 'k1:short' })).toThrow(/ENCRYPTION_KEYS: must be "keyId:base64 of 32 bytes".*\(got \(value hidden\)\)/);
    const [a, b] = [key(), key()];
    expect(() => loadConfig({ ENCRYPTION_KEYS: `k1:${a},k1:${b}` })).toThrow(/ENCRYPTION_KEYS: names a key id twice/);
    expect(() => new KeyRing(`k1:${a},k1:${b}`)).toThrow('Encryption key id "k1" appears twice');
  });

  it('a truncated authentication tag is refused (GCM would accept 4 bytes)', () => {
    const ring = new KeyRing(`k1:${key()}`);
    const parts = ring.encrypt('secret').split(':');
    for (const bytes of [4, 8, 12, 15]) {
      const cut = [...parts];
      cut[3] = Buffer.from(parts[3]!, 'base64').subarray(0, bytes).toString('base64');
      expect(() => ring.decrypt(cut.join(':'))).toThrow(`Stored secret has a ${bytes}-byte authentication tag; 16 are required`);
    }
  });
});

describe('CLI: slack install and secrets reencrypt', () => {
  const w = useTestWorld();
  it('stores the token encrypted, then re-encrypts it after a key rotation', async () => {
    const k1 = key();
    const prefix = w.config.QUEUE_PREFIX;
    const env = { DATABASE_URL: w.db.url, ENCRYPTION_KEYS: `k1:${k1}`, LOG_LEVEL: 'silent', REDIS_URL, QUEUE_PREFIX: prefix };
    const args = ['slack', 'install', '--organization', '0d3c9a4e-5b7f-4c1a-9e2d-6f8a1b2c3d4e', '--team-id', 'T01', '--channel', 'C01'];
    const noToken = await runCliProcess(args, env);
    expect(noToken.stderr).toContain('Set SLACK_BOT_TOKEN in the environment');
    const ok = await runCliProcess(args, { ...env, SLACK_BOT_TOKEN: 'xoxb-very-secret' });
    expect(ok.stdout).toContain('token encrypted with key k1');
    // Its people are looked up by email next.
    expect(ok.stdout).toMatch(/queued slack\.map-users as job \d+/);
    const queue = new Queue('slack', { connection: { url: REDIS_URL }, prefix });
    expect((await queue.getJobs(['waiting'])).map((j) => [j.name, j.data])).toEqual([
      ['slack.map-users', { organizationId: '0d3c9a4e-5b7f-4c1a-9e2d-6f8a1b2c3d4e' }],
    ]);
    await queue.close();
    await deletePrefix(prefix);
    expect(ok.stdout + ok.stderr).not.toContain('xoxb-very-secret');
    const stored = async () => (await w.db.sql.query(`SELECT bot_token FROM slack_integrations WHERE team_id = 'T01'`)).rows[0].bot_token as string;
    const before = await stored();
    expect(before).toMatch(/^v1:k1:/);
    const k2 = `k2:${key()}`;
    const rotated = await runCliProcess(['secrets', 'reencrypt'], { ...env, ENCRYPTION_KEYS: `${k2},k1:${k1}` });
    expect(rotated.stdout).toContain('re-encrypted 1 secret(s) with key k2');
    const after = await stored();
    expect(after).toMatch(/^v1:k2:/);
    expect(new KeyRing(`k1:${k1}`).decrypt(before)).toBe('xoxb-very-secret');

    // A row that cannot be read (sealed with a key no longer configured) is reported, the rest
    // rotate, and the command exits non-zero.
    const lost = new KeyRing(`k0:${key()}`).encrypt('xoxb-lost');
    await w.rows.slackIntegration({ organization_id: '0d3c9a4e-5b7f-4c1a-9e2d-6f8a1b2c3d4e', team_id: 'T00', bot_token: lost });
    const partial = await runCliProcess(['secrets', 'reencrypt'], { ...env, ENCRYPTION_KEYS: `k3:${key()},${k2}` });
    expect(partial.code).toBe(1);
    expect(partial.stderr).toContain('could not re-encrypt the token of Slack team T00');
    expect(partial.stderr).toContain('encrypted with key "k0", which is not in ENCRYPTION_KEYS');
    expect(partial.stdout).toContain('re-encrypted 1 secret(s) with key k3; 1 could not be read');
    expect(await stored()).toMatch(/^v1:k3:/);
  });
});
