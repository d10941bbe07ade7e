import { describe, expect, it } from '@jest/globals';
import { deviceInfoOf } from '../../src/sessions/device-info.js';

const meta = (userAgent: string | null) => ({ ip: '192.0.2.1', userAgent, location: 'Berlin, DE' });

describe('deviceInfoOf', () => {
  it('names browser and OS with their major versions', () => {
    const info = deviceInfoOf(meta('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0'));
    expect(info).toEqual({
      deviceType: 'desktop',
      browser: 'Firefox 133',
      os: 'Windows 10',
      userAgent: expect.any(String),
      ip: '192.0.2.1',
      location: 'Berlin, DE',
    });
  });

  it('recognises phones and tablets', () => {
    expect(
      deviceInfoOf(
        meta(
          'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
        ),
      ).deviceType,
    ).toBe('mobile');
    expect(
      deviceInfoOf(
        meta(
          'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
        ),
      ).deviceType,
    ).toBe('tablet');
  });

  it('says unknown when there is no User-Agent or nothing recognisable in it', () => {
    expect(deviceInfoOf(meta(null))).toMatchObject({ deviceType: 'unknown', browser: null, os: null });
    expect(deviceInfoOf(meta('curl-like/1.0'))).toMatchObject({ deviceType: 'unknown', browser: null });
  });
});
