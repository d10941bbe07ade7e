export type ActorType = 'user' | 'api_key' | 'operator' | 'system' | 'anonymous';

/** Who did it: a user, an API key, the operator (CLI or operator token), the system (workers), or nobody known. */
export interface Actor {
  type: ActorType;
  id: string | null;
}

/** Where a request came from, as far as we can trust it (X-Forwarded-For only from trusted proxies). */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  location: string | null;
}

export const SYSTEM_ACTOR: Actor = { type: 'system', id: null };
export const NO_REQUEST: RequestMeta = { ip: null, userAgent: null, location: null };
