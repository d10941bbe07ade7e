import { Query } from '@nestjs/cqrs';
import type { App } from '../../identity/index.js';

export interface SessionView {
  id: string;
  current: boolean;
  deviceType: string;
  browser: string | null;
  os: string | null;
  ip: string | null;
  location: string | null;
  createdAt: string;
  lastActiveAt: string;
  expiresAt: string;
  aal: 1 | 2;
  /** The kind of app whose key opened it; null when signed in without one. */
  app: App | null;
  amr: string[];
}

/** The live sessions of one user of a tenant; `currentSessionId` flags the caller's own. */
export class ListSessionsQuery extends Query<SessionView[]> {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly currentSessionId: string | null,
  ) {
    super();
  }
}
