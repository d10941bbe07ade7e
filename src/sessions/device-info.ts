import { UAParser } from 'ua-parser-js';
import type { RequestMeta } from '../common/actor.js';
import type { DeviceInfo } from './session.entity.js';

/** What a person recognises in their session list: "Chrome 131 on macOS 15, desktop". */
export function deviceInfoOf(request: RequestMeta): DeviceInfo {
  const ua = request.userAgent ? UAParser(request.userAgent) : undefined;
  const label = (name?: string, version?: string) =>
    name ? [name, version?.split('.')[0]].filter(Boolean).join(' ') : null;
  return {
    deviceType: ua?.device.type ?? (ua?.os.name || ua?.browser.name ? 'desktop' : 'unknown'),
    browser: label(ua?.browser.name, ua?.browser.version),
    os: label(ua?.os.name, ua?.os.version),
    userAgent: request.userAgent,
    ip: request.ip,
    location: request.location,
  };
}
