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
