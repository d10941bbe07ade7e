import { isIP } from 'node:net';
import type { Env } from './schema.js';

/** Where passkeys work: the relying-party id their credentials are scoped to, and the origins allowed to use them. */
export interface WebauthnSettings {
  rpId: string;
  origins: string[];
}

/** Why this deployment offers no passkeys (its public URL is an IP address or plain HTTP off localhost). */
export interface WebauthnUnavailable {
  unavailable: string;
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

const isLocalhost = (host: string) => host === 'localhost' || host.endsWith('.localhost');

/** Browsers run WebAuthn only in a secure context: HTTPS, or plain HTTP on localhost. */
function originProblem(raw: string, rpId: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `${JSON.stringify(raw)} is not an origin (scheme://host[:port])`;
  }
  if (url.origin !== raw.replace(/\/$/, '')) return `${JSON.stringify(raw)} must be an origin alone, without a path`;
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLocalhost(url.hostname))) {
    return `${JSON.stringify(raw)} must use https (plain http only on localhost): browsers refuse passkeys elsewhere`;
  }
  if (url.hostname !== rpId && !url.hostname.endsWith(`.${rpId}`)) {
    return `${JSON.stringify(raw)} is not on ${rpId} or a subdomain of it, so its passkeys could not be used there`;
  }
  return undefined;
}

function rpIdProblem(rpId: string): string | undefined {
  if (isIP(rpId)) return `${rpId} is an IP address; passkeys need a domain name`;
  if (!DOMAIN.test(rpId)) return `${JSON.stringify(rpId)} must be a lower-case domain name, without scheme or port`;
  return undefined;
}

/**
 * The relying party resolved from `WEBAUTHN_RP_ID` and `WEBAUTHN_ORIGINS`, each defaulting to `PUBLIC_URL`'s
 * host and origin. An explicit setting that cannot work is a start-up error (`problem`); a default that cannot
 * work (an IP address, plain HTTP off localhost) leaves passkeys off, with the reason, rather than stopping a
 * deployment that never asked for them.
 */
export function webauthnSettingsOf(env: Env): { settings: WebauthnSettings | WebauthnUnavailable; problem?: string } {
  const publicUrl = new URL(env.PUBLIC_URL ?? `http://localhost:${env.PORT}`);
  const explicit = env.WEBAUTHN_RP_ID !== undefined || env.WEBAUTHN_ORIGINS !== undefined;
  const rpId = env.WEBAUTHN_RP_ID ?? publicUrl.hostname;
  const origins = env.WEBAUTHN_ORIGINS ?? [publicUrl.origin];
  const problem =
    rpIdProblem(rpId) ?? origins.map((origin) => originProblem(origin, rpId)).find((found) => found !== undefined);
  if (problem === undefined) return { settings: { rpId, origins: origins.map((o) => new URL(o).origin) } };
  if (explicit) {
    const name = env.WEBAUTHN_RP_ID !== undefined && rpIdProblem(rpId) ? 'WEBAUTHN_RP_ID' : 'WEBAUTHN_ORIGINS';
    return { settings: { unavailable: problem }, problem: `${name}: ${problem}` };
  }
  return {
    settings: {
      unavailable: `passkeys are off: PUBLIC_URL ${problem}; set WEBAUTHN_RP_ID and WEBAUTHN_ORIGINS (docs/passkeys.md)`,
    },
  };
}
