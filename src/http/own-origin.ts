/**
 * Whether a browser's `Origin` (or `Referer`) names this server: the configured public URL's origin, or the
 * origin the request itself was addressed to (`requestOrigin`, scheme and Host header).
 */
export function isOwnOrigin(claimed: string, publicUrl: string, requestOrigin: string): boolean {
  return claimed === originOf(publicUrl) || claimed === requestOrigin;
}

/** The origin of a URL; `'null'` (the origin of nothing) for one that does not parse. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'null';
  }
}
