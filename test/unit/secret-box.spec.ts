import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { SecretBox, SecretBoxError } from '../../src/common/crypto/secret-box.js';

const key = (id: string) => ({ id, key: randomBytes(32) });
const SECRET = Buffer.from('a 20-byte totp seed!');

describe('SecretBox (AES-256-GCM)', () => {
  const old = key('old');
  const current = key('new');
  const box = new SecretBox([old, current]);

  it('opens what it sealed, under the newest key, with a fresh IV each time', () => {
    const a = box.seal(SECRET, 'factor:1');
    const b = box.seal(SECRET, 'factor:1');
    expect(a.keyId).toBe('new');
    expect(a.ciphertext).toMatch(/^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(box.open(a, 'factor:1')).toEqual(SECRET);
    expect(a.ciphertext).not.toContain(SECRET.toString('base64url'));
  });

  it('refuses a ciphertext moved to another record (different context)', () => {
    const sealed = box.seal(SECRET, 'factor:tenant-a:1');
    expect(() => box.open(sealed, 'factor:tenant-b:1')).toThrow(SecretBoxError);
    expect(() => box.open(sealed, 'factor:tenant-a:2')).toThrow(/does not authenticate/);
  });

  it('refuses a ciphertext, IV or tag with any byte changed', () => {
    const sealed = box.seal(SECRET, 'ctx');
    const [format, ...parts] = sealed.ciphertext.split('.');
    for (let part = 0; part < 3; part++) {
      const bytes = Buffer.from(parts[part]!, 'base64url');
      bytes[bytes.length - 1]! ^= 0x01;
      const tampered = parts.map((p, i) => (i === part ? bytes.toString('base64url') : p));
      expect(() => box.open({ ...sealed, ciphertext: [format, ...tampered].join('.') }, 'ctx')).toThrow(SecretBoxError);
    }
  });

  it('refuses a secret relabelled with another key id, even when both ids name the same key', () => {
    const twins = new SecretBox([{ id: 'a', key: current.key }, current]);
    const sealed = twins.seal(SECRET, 'ctx');
    expect(() => twins.open({ ...sealed, keyId: 'a' }, 'ctx')).toThrow(SecretBoxError);
  });

  it('opens a secret sealed under an older key that is still configured', () => {
    const sealedByOld = new SecretBox([old]).seal(SECRET, 'ctx');
    expect(sealedByOld.keyId).toBe('old');
    expect(box.open(sealedByOld, 'ctx')).toEqual(SECRET);
  });

  it('names the missing key when a secret is under a key id no longer configured', () => {
    const sealedByOld = new SecretBox([old]).seal(SECRET, 'ctx');
    const withoutOld = new SecretBox([current]);
    expect(() => withoutOld.open(sealedByOld, 'ctx')).toThrow(SecretBoxError);
    expect(() => withoutOld.open(sealedByOld, 'ctx')).toThrow(/no encryption key with id "old" is configured/);
  });

  it('refuses malformed ciphertexts and a truncated tag', () => {
    const sealed = box.seal(SECRET, 'ctx');
    const [, iv, tag, body] = sealed.ciphertext.split('.');
    const shortTag = Buffer.from(tag!, 'base64url').subarray(0, 8).toString('base64url');
    for (const ciphertext of [
      '',
      'v2.a.b.c',
      `v1.${iv}.${tag}`,
      `v1.${iv}.${shortTag}.${body}`,
      `v1.${iv}.${tag}.${body}.x`,
    ]) {
      expect(() => box.open({ keyId: 'new', ciphertext }, 'ctx')).toThrow(SecretBoxError);
    }
  });

  it('needs at least one 32-byte key', () => {
    expect(() => new SecretBox([])).toThrow(/no encryption keys/);
    expect(() => new SecretBox([{ id: 'short', key: randomBytes(16) }])).toThrow(/32 bytes/);
  });
});
