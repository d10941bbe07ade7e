/**
 * Express `trust proxy` value from TRUSTED_PROXY (comma-separated addresses, CIDRs, or express's
 * names like `loopback`). Empty: trust nobody, so X-Forwarded-For cannot spoof a client IP.
 */
export function trustProxySetting(raw: string): string[] | false {
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return list.length ? list : false;
}
