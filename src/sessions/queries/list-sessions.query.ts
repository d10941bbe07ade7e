import { Query } from '@nestjs/cqrs';
import type { SessionView } from '../session-view.js';

/** What a list of a user's sessions shows of each (`GET /v1/me/sessions`, an admin's view of a member's). */
export const LISTED_SESSION = [
  'id',
  'current',
  'deviceType',
  'browser',
  'os',
  'ip',
  'location',
  'createdAt',
  'lastActiveAt',
  'expiresAt',
  'aal',
  'app',
  'amr',
] as const;

export type ListedSession = SessionView<(typeof LISTED_SESSION)[number]>;

/** The live sessions of one user of a tenant; `currentSessionId` flags the caller's own. */
export class ListSessionsQuery extends Query<ListedSession[]> {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly currentSessionId: string | null,
  ) {
    super();
  }
}
