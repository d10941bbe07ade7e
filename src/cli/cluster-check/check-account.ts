import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { callApi, describeAnswer } from './api-call.js';
import type { ApiNode } from './release-pods.js';

/** The tenant and admin the check signs in as, all derived from the operator token. */
export interface CheckAccount {
  slug: string;
  email: string;
  password: string;
}

/**
 * The check's own tenant, `stepguard-cluster-check-<fingerprint>`, whose one user is its admin. Nothing
 * about it is stored anywhere: the slug and the admin's password are HMACs of the operator token under
 * two labels, so only a holder of STEPGUARD_OPERATOR_TOKEN can sign in as it, and that holder could
 * make a tenant of their own at will anyway (POST /v1/tenants). A rotated token derives another slug, so
 * the check makes one new tenant per operator token, never one per run.
 */
export function checkAccountOf(operatorToken: string): CheckAccount {
  const derive = (label: string) => createHmac('sha256', operatorToken).update(`stepguard cluster-check ${label}`);
  const slug = `stepguard-cluster-check-${derive('tenant v1').digest('hex').slice(0, 12)}`;
  // `.invalid` (RFC 2606) can never be delivered: the notices a Disconnect e-mails to its user go nowhere.
  return { slug, email: `cluster-check@${slug}.invalid`, password: derive('password v1').digest('base64url') };
}

const signedIn = z.object({
  status: z.literal('authenticated'),
  token: z.string(),
  session: z.object({ id: z.string() }),
});

export interface CheckSession {
  token: string;
  sessionId: string;
  node: ApiNode;
}

/**
 * A session of the check's admin, signed in on `node`. The first run on a platform makes the tenant (with
 * the operator token) once the sign-in finds no such account, then signs in again.
 */
export async function signInAsCheck(
  node: ApiNode,
  account: CheckAccount,
  operatorToken: string,
  timeoutMs: number,
): Promise<CheckSession> {
  const first = await signIn(node, account, timeoutMs);
  if (first.status !== 401) return sessionOf(node, first);
  const created = await callApi(
    node,
    {
      method: 'POST',
      path: '/v1/tenants',
      token: operatorToken,
      body: {
        slug: account.slug,
        name: 'Stepguard cluster-check (helm test; holds no users of its own)',
        admin: { email: account.email, password: account.password },
      },
    },
    timeoutMs,
  );
  if (created.status === 409) {
    throw new Error(
      `the check tenant ${account.slug} exists but refuses the check's sign-in (${describeAnswer(first)})`,
    );
  }
  if (created.status !== 201) {
    const why = created.status === 401 ? ' (is STEPGUARD_OPERATOR_TOKEN the one the api nodes have?)' : '';
    throw new Error(`making the check tenant ${account.slug}: ${describeAnswer(created)}${why}`);
  }
  return sessionOf(node, await signIn(node, account, timeoutMs));
}

/** Ends a session of the check's (logout); best effort: a session left behind expires with its idle timeout. */
export async function signOut(session: CheckSession, timeoutMs: number): Promise<void> {
  await callApi(session.node, { method: 'POST', path: '/v1/auth/logout', token: session.token }, timeoutMs).catch(
    () => undefined,
  );
}

function signIn(node: ApiNode, account: CheckAccount, timeoutMs: number) {
  const body = { tenant: account.slug, email: account.email, password: account.password };
  return callApi(node, { method: 'POST', path: '/v1/auth/login', body }, timeoutMs);
}

function sessionOf(node: ApiNode, answer: Awaited<ReturnType<typeof callApi>>): CheckSession {
  const parsed = answer.status === 200 ? signedIn.safeParse(answer.body) : undefined;
  if (!parsed?.success) {
    const status = (answer.body as { status?: unknown } | undefined)?.status;
    const why =
      answer.status === 200 && typeof status === 'string'
        ? `the sign-in answered "${status}" (the check tenant's policy must not ask its admin for a factor)`
        : describeAnswer(answer);
    throw new Error(`signing in as the check's admin on ${node.name}: ${why}`);
  }
  return { token: parsed.data.token, sessionId: parsed.data.session.id, node };
}
