import { describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import {
  generateWebhookSecret,
  webhookSignatures,
  webhookSigningKey,
} from '../../src/audit/stream/transports/webhook-signature.js';

describe('webhook secrets and signatures (Standard Webhooks v1)', () => {
  it('generates whsec_ secrets of 32 random bytes, never the same twice', () => {
    const secrets = Array.from({ length: 50 }, generateWebhookSecret);
    for (const secret of secrets) {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(webhookSigningKey(secret)).toHaveLength(32);
    }
    expect(new Set(secrets).size).toBe(secrets.length);
  });

  it('signs id.timestamp.body exactly as the reference library does', () => {
    const secret = generateWebhookSecret();
    const body = '[{"seq":1,"note":"ünïcode and \\"quotes\\""}]';
    const reference = new Webhook(secret).sign('msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', new Date(1674087231_000), body);
    expect(webhookSignatures([webhookSigningKey(secret)], 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', 1674087231, body)).toBe(
      reference,
    );
  });

  it('lists one signature per key, space-separated, in the order of the keys', () => {
    const [a, b] = [generateWebhookSecret(), generateWebhookSecret()];
    const header = webhookSignatures([webhookSigningKey(a), webhookSigningKey(b)], 'id1', 1700000000, '{}');
    expect(header).toBe(
      [
        new Webhook(a).sign('id1', new Date(1700000000_000), '{}'),
        new Webhook(b).sign('id1', new Date(1700000000_000), '{}'),
      ].join(' '),
    );
  });

  it('takes secrets of 24 to 64 bytes', () => {
    for (const size of [24, 32, 64]) {
      expect(webhookSigningKey(`whsec_${Buffer.alloc(size, 7).toString('base64')}`)).toHaveLength(size);
    }
  });

  it.each([
    ['no prefix', Buffer.alloc(32, 1).toString('base64')],
    ['23 bytes', `whsec_${Buffer.alloc(23, 1).toString('base64')}`],
    ['65 bytes', `whsec_${Buffer.alloc(65, 1).toString('base64')}`],
    ['base64url instead of base64', `whsec_${Buffer.alloc(32, 0xfb).toString('base64url')}`],
    ['white space', `whsec_ ${Buffer.alloc(32, 1).toString('base64')}`],
  ])('refuses a secret with %s, without repeating it', (_case, secret) => {
    const refusal = (() => {
      try {
        webhookSigningKey(secret);
      } catch (error) {
        return error as Error;
      }
      throw new Error('the secret was accepted');
    })();
    expect(refusal).toBeInstanceOf(TypeError);
    expect(refusal.message).not.toContain(secret.replace(/^whsec_ ?/, '').slice(0, 12));
  });

  it('refuses an empty secret', () => {
    expect(() => webhookSigningKey('whsec_')).toThrow(TypeError);
    expect(() => webhookSigningKey('')).toThrow(TypeError);
  });
});
