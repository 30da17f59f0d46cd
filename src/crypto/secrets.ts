import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { PermanentError } from '../errors/index.js';

/**
 * Secrets at rest (Slack bot tokens) with AES-256-GCM: a fresh 96-bit IV per value, the 128-bit tag
 * authenticates it, and the key id travels with the ciphertext so keys can rotate:
 *   v1:<keyId>:<iv base64>:<tag base64>:<ciphertext base64>
 */
const TAG_BYTES = 16;

export class KeyRing {
  private readonly keys = new Map<string, Buffer>();
  readonly activeKeyId: string;

  constructor(spec: string) {
    const entries = spec.split(',').map((e) => e.split(':') as [string, string]);
    for (const [id, b64] of entries) {
      // Two keys under one id would make "which key sealed this" ambiguous: refuse at boot.
      if (this.keys.has(id)) throw new Error(`Encryption key id "${id}" appears twice in ENCRYPTION_KEYS`);
      const key = Buffer.from(b64, 'base64');
      if (key.length !== 32) throw new Error(`Encryption key "${id}" must be 32 bytes (base64)`);
      this.keys.set(id, key);
    }
    this.activeKeyId = entries[0]![0];
  }

  static fromConfig(spec: string | undefined): KeyRing {
    if (!spec) throw new PermanentError('ENCRYPTION_KEYS is not configured: secrets at rest cannot be encrypted or read');
    return new KeyRing(spec);
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.activeKeyId)!, iv);
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', this.activeKeyId, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ct.toString('base64')].join(':');
  }

  decrypt(sealed: string): string {
    const [v, keyId, iv, tag, ct] = sealed.split(':');
    if (v !== 'v1' || !keyId || !iv || !tag || ct === undefined) throw new PermanentError('Stored secret is not in the v1 encrypted format');
    const key = this.keys.get(keyId);
    if (!key) throw new PermanentError(`Stored secret was encrypted with key "${keyId}", which is not in ENCRYPTION_KEYS`);
    // The full 128-bit tag is required: GCM would otherwise accept a tag cut to 4 bytes, which an
    // attacker can forge by trying 2^32 values.
    const tagBytes = Buffer.from(tag, 'base64');
    if (tagBytes.length !== TAG_BYTES) throw new PermanentError(`Stored secret has a ${tagBytes.length}-byte authentication tag; ${TAG_BYTES} are required`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'), { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tagBytes);
    try {
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new PermanentError(`Stored secret failed authentication with key "${keyId}" (tampered or wrong key)`);
    }
  }

  /** Whether a sealed value uses a key other than the active one (needs re-encryption). */
  isStale(sealed: string): boolean {
    return sealed.split(':')[1] !== this.activeKeyId;
  }
}
