import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyRing } from '../src/crypto/secrets.js';
import { loadConfig } from '../src/config/index.js';

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

  it('ENCRYPTION_KEYS is validated and never echoed', () => {
    expect(() => loadConfig({ ENCRYPTION_KEYS: 'k1:short' })).toThrow(/ENCRYPTION_KEYS: must be "keyId:base64 of 32 bytes".*\(got \(value hidden\)\)/);
  });
});

describe('CLI: slack install and secrets reencrypt', async () => {
  const { createTestDatabase } = await import('./helpers/db.js');
  const { runCliProcess } = await import('./helpers/spawn.js');
  it('stores the token encrypted, then re-encrypts it after a key rotation', async () => {
    const db = await createTestDatabase();
    try {
      const k1 = key();
      const env = { DATABASE_URL: db.url, ENCRYPTION_KEYS: `k1:${k1}`, LOG_LEVEL: 'silent' };
      const args = ['slack', 'install', '--organization', '0d3c9a4e-5b7f-4c1a-9e2d-6f8a1b2c3d4e', '--team-id', 'T01', '--channel', 'C01'];
      const noToken = await runCliProcess(args, env);
      expect(noToken.stderr).toContain('Set SLACK_BOT_TOKEN in the environment');
      const ok = await runCliProcess(args, { ...env, SLACK_BOT_TOKEN: 'xoxb-very-secret' });
      expect(ok.stdout).toContain('token encrypted with key k1');
      expect(ok.stdout + ok.stderr).not.toContain('xoxb-very-secret');
      const stored = async () => (await db.sql.query(`SELECT bot_token FROM slack_integrations WHERE team_id = 'T01'`)).rows[0].bot_token as string;
      const before = await stored();
      expect(before).toMatch(/^v1:k1:/);
      const rotated = await runCliProcess(['secrets', 'reencrypt'], { ...env, ENCRYPTION_KEYS: `k2:${key()},k1:${k1}` });
      expect(rotated.stdout).toContain('re-encrypted 1 secret(s) with key k2');
      const after = await stored();
      expect(after).toMatch(/^v1:k2:/);
      expect(new KeyRing(`k1:${k1}`).decrypt(before)).toBe('xoxb-very-secret');
    } finally {
      await db.drop();
    }
  });
});
