import { describe, expect, it } from '@jest/globals';
import { ScureBase32Plugin } from 'otplib';
import { randomBytes } from 'node:crypto';
import { base32Secret, otpauthUri, totpProvisioning } from '../../src/factors/totp/provisioning.js';

describe('TOTP provisioning', () => {
  it('encodes 160 bits as 32 unpadded base32 characters that decode back', () => {
    const secret = randomBytes(20);
    const encoded = base32Secret(secret);
    expect(encoded).toMatch(/^[A-Z2-7]{32}$/);
    expect(Buffer.from(new ScureBase32Plugin().decode(encoded))).toEqual(secret);
  });

  it('builds an otpauth URI whose issuer and account survive colons, ampersands and spaces', () => {
    const uri = otpauthUri({ issuer: 'R&D: Acme #1', account: 'a+b@acme.example', secret: 'ABCDEFGH' });
    const url = new URL(uri);
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    const [issuer, account] = url.pathname.slice(1).split(':').map(decodeURIComponent);
    expect({ issuer, account }).toEqual({ issuer: 'R&D: Acme #1', account: 'a+b@acme.example' });
    expect(Object.fromEntries(url.searchParams)).toEqual({
      secret: 'ABCDEFGH',
      issuer: 'R&D: Acme #1',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });

  it('renders the URI as a PNG data URL', async () => {
    const p = await totpProvisioning({ issuer: 'Acme', account: 'a@acme.example', secret: randomBytes(20) });
    expect(p.qrCodeDataUrl).toMatch(/^data:image\/png;base64,/);
    const png = Buffer.from(p.qrCodeDataUrl.split(',')[1]!, 'base64');
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
  });
});
