/** What ua-parser-js says of the device, in words; an unknown device says nothing. */
const DEVICE_TYPES: Record<string, string> = {
  desktop: 'Computer',
  mobile: 'Phone',
  tablet: 'Tablet',
  smarttv: 'TV',
  console: 'Game console',
  wearable: 'Wearable',
};

/** What a session list needs of one session (the user's own list and an admin's view of a user's). */
export interface SessionFacts {
  id: string;
  current: boolean;
  browser: string | null;
  os: string | null;
  deviceType: string | null;
  ip: string | null;
  location: string | null;
  createdAt: string;
  lastActiveAt: string;
}

/** A session as a list row shows it: "Firefox 128 on Windows 10", the device in words, when and where. */
export function sessionRow(s: SessionFacts) {
  const software = [s.browser, s.os].filter(Boolean).join(' on ');
  return {
    id: s.id,
    current: s.current,
    device: software || 'Unknown device',
    deviceType: DEVICE_TYPES[s.deviceType ?? ''] ?? null,
    ip: s.ip,
    location: s.location,
    createdAt: s.createdAt,
    lastActiveAt: s.lastActiveAt,
  };
}
