import type { Request, Response } from 'express';

/**
 * The pages' session: the same opaque session token the API takes as a bearer, kept in a cookie that
 * scripts cannot read (HttpOnly) and other sites do not send on their POSTs (SameSite=Lax). Over HTTPS it is
 * `__Host-` prefixed and Secure, so no subdomain can set or shadow it; plain HTTP (a laptop's localhost)
 * gets the bare name, since browsers refuse `__Host-` and Secure cookies there.
 */
export function sessionCookieName(publicUrl: string): string {
  return secure(publicUrl) ? '__Host-sg_session' : 'sg_session';
}

const secure = (publicUrl: string) => publicUrl.startsWith('https:');

// A session token is `sgs_` + 43 base64url characters; anything else in the cookie is not one.
const PLAUSIBLE_TOKEN = /^sgs_[A-Za-z0-9_-]{43}$/;

/** The session token the cookie holds, or null when there is none or it cannot be one. */
export function sessionCookieToken(req: Request, publicUrl: string): string | null {
  return sessionTokenIn(req.get('cookie'), publicUrl);
}

/** The same from a bare Cookie header (a socket's handshake has no Express request). */
export function sessionTokenIn(cookieHeader: string | undefined, publicUrl: string): string | null {
  const value = cookieIn(cookieHeader, sessionCookieName(publicUrl));
  return value && PLAUSIBLE_TOKEN.test(value) ? value : null;
}

export function setSessionCookie(res: Response, token: string, expires: Date, publicUrl: string): void {
  res.cookie(sessionCookieName(publicUrl), token, {
    httpOnly: true,
    secure: secure(publicUrl),
    sameSite: 'lax',
    path: '/',
    expires,
  });
}

export function clearSessionCookie(res: Response, publicUrl: string): void {
  res.clearCookie(sessionCookieName(publicUrl), {
    httpOnly: true,
    secure: secure(publicUrl),
    sameSite: 'lax',
    path: '/',
  });
}

/**
 * One cookie's value from the Cookie header, percent-decoded as `res.cookie` encoded it (no cookie parser
 * runs on this app). A value that does not decode is absent: it is the visitor's input, never a 500.
 */
export function cookieOf(req: Request, name: string): string | null {
  return cookieIn(req.get('cookie'), name);
}

function cookieIn(cookieHeader: string | undefined, name: string): string | null {
  for (const part of (cookieHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}
