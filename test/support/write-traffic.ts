import { randomBytes } from 'node:crypto';
import { PASSWORD, type TenantFixture } from './builders.js';
import type { HttpClient } from './http.js';

export type WriteKind = 'login' | 'user';

/** One request of the traffic and what came of it. */
export interface Outcome {
  kind: WriteKind;
  /** The HTTP status, or 0 when no answer came within the bound or the connection failed. */
  status: number;
  contentType: string | null;
  /** The problem's `code` of a 4xx/5xx. */
  code?: string;
  retryAfter: string | null;
  /** What an acknowledged (2xx) write created: the new session's id, or the new user's. */
  id?: string;
  ms: number;
  error?: string;
}

/**
 * Acknowledged writes, one lane per kind, each sending its next request as soon as the last one is
 * answered, until stopped: sign-ins of the tenant's admin (each opens a session) and users the admin
 * creates. No request may take longer than `boundMs` (far beyond a sign-in's argon2 on a loaded machine): one
 * that does is aborted and recorded with status 0.
 */
export class WriteTraffic {
  readonly outcomes: Outcome[] = [];
  private stopped = false;
  private readonly lanes: Promise<void>[];

  constructor(
    private readonly http: HttpClient,
    private readonly tenant: TenantFixture,
    private readonly boundMs = 15_000,
  ) {
    this.lanes = (['login', 'user'] as const).map((kind) => this.lane(kind));
  }

  /** Where the record stands now, to count what comes after it. */
  mark(): number {
    return this.outcomes.length;
  }

  /** The ids of the writes of `kind` acknowledged since `mark` (the index `mark()` returned). */
  acknowledged(kind: WriteKind, mark = 0): string[] {
    return this.outcomes
      .slice(mark)
      .filter((o) => o.kind === kind && o.status >= 200 && o.status < 300)
      .map((o) => o.id!);
  }

  /** How many outcomes since `mark` had each kind and status, e.g. `{ 'login 200': 12, 'user 503': 40 }`. */
  tally(mark = 0): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const { kind, status } of this.outcomes.slice(mark))
      counts[`${kind} ${status}`] = (counts[`${kind} ${status}`] ?? 0) + 1;
    return counts;
  }

  async stop(): Promise<Outcome[]> {
    this.stopped = true;
    await Promise.all(this.lanes);
    return this.outcomes;
  }

  private async lane(kind: WriteKind): Promise<void> {
    while (!this.stopped) this.outcomes.push(await this.send(kind));
  }

  private async send(kind: WriteKind): Promise<Outcome> {
    const started = performance.now();
    const signal = AbortSignal.timeout(this.boundMs);
    const { slug, admin } = this.tenant;
    try {
      const res =
        kind === 'login'
          ? await this.http.request('POST', '/v1/auth/login', {
              body: { tenant: slug, email: admin.email, password: PASSWORD },
              signal,
            })
          : await this.http.request('POST', '/v1/admin/users', {
              body: {
                email: `traffic-${randomBytes(6).toString('hex')}@${slug}.example`,
                roles: ['member'],
                password: PASSWORD,
              },
              token: admin.token,
              signal,
            });
      const ok = res.status >= 200 && res.status < 300;
      return {
        kind,
        status: res.status,
        contentType: res.headers.get('content-type'),
        code: ok ? undefined : res.body?.code,
        retryAfter: res.headers.get('retry-after'),
        id: ok ? (kind === 'login' ? res.body.session.id : res.body.id) : undefined,
        ms: performance.now() - started,
      };
    } catch (error) {
      const ms = performance.now() - started;
      return { kind, status: 0, contentType: null, retryAfter: null, ms, error: (error as Error).message };
    }
  }
}
