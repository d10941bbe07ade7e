// Requests bench/peer.bench.js makes from its own process to arrange each server's data through the
// server's API: JSON in and out, and a cookie jar for better-auth.
/** One JSON request; `cookies` is a Map the response's Set-Cookie headers are merged into. */
export async function request(baseUrl, method, path, { body, headers = {}, cookies } = {}) {
  const all = { ...headers };
  if (body !== undefined) all['content-type'] = 'application/json';
  if (cookies?.size) all.cookie = cookieHeader(cookies);
  const res = await fetch(new URL(path, baseUrl), {
    method,
    headers: all,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (cookies) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || pair.slice(eq + 1) === '';
      if (expired) cookies.delete(name);
      else cookies.set(name, pair.slice(eq + 1));
    }
  }
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, body: json };
}

export const cookieHeader = (cookies) => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');

/** The body of a request that must answer `status`, or an error naming what failed. */
export async function expectStatus(promise, status, what) {
  const res = await promise;
  if (res.status !== status)
    throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The argon2 parameters of an encoded hash (`$argon2id$v=19$m=19456,t=2,p=1$…`), to compare the two sides. */
export function argon2Parameters(hash) {
  const [, type, , params] = hash.split('$');
  return `${type} ${params}`;
}

/** Batches of this many rows per INSERT when a pool is seeded. */
export const SEED_BATCH = 2000;
