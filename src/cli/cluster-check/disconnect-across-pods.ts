import { io, type Socket } from 'socket.io-client';
import { STEP_UP_REQUIRED_EVENT } from '../../live/index.js';
import { callApi, describeAnswer } from './api-call.js';
import { type CheckLine, failed, passed, reasonOf } from './check-line.js';
import { checkAccountOf, type CheckSession, signInAsCheck, signOut } from './check-account.js';
import type { ApiNode } from './release-pods.js';

const CHECK = 'disconnect across pods';
const REASON = 'stepguard cluster-check';

/**
 * The Disconnect API through one api node closes a session's sockets held by the others: the check's
 * admin holds a socket on every node but the last, and asks the last to disconnect that session
 * (`POST /v1/admin/sessions/{id}/disconnect`, as an admin of the check tenant from a second session).
 * Every socket must be told `stepguard:step_up_required` with the check's reason and closed, which only
 * the socket.io Redis adapter carries from node to node. With one node, the same node does both.
 */
export async function disconnectAcrossPodsLine(
  nodes: readonly ApiNode[],
  operatorToken: string | undefined,
  timeoutMs: number,
): Promise<CheckLine> {
  if (!operatorToken) {
    return failed(CHECK, 'STEPGUARD_OPERATOR_TOKEN is not set: the check makes and signs in to its tenant with it');
  }
  const asked = nodes.at(-1)!;
  const holders = nodes.length > 1 ? nodes.slice(0, -1) : [asked];
  const account = checkAccountOf(operatorToken);
  const sessions: CheckSession[] = [];
  const sockets: Socket[] = [];
  try {
    const holder = await signInAsCheck(holders[0]!, account, operatorToken, timeoutMs);
    sessions.push(holder);
    const asker = await signInAsCheck(asked, account, operatorToken, timeoutMs);
    sessions.push(asker);
    const opened = await Promise.allSettled(holders.map((node) => connected(node, holder.token, timeoutMs)));
    for (const o of opened) if (o.status === 'fulfilled') sockets.push(o.value);
    const refused = opened.find((o) => o.status === 'rejected');
    if (refused) throw refused.reason;

    const allClosed = Promise.all(sockets.map((socket, i) => forcedClose(socket, holders[i]!)));
    // Handled here too: on an early return below, the sockets close under it in `finally`.
    allClosed.catch(() => undefined);
    const answer = await callApi(
      asked,
      {
        method: 'POST',
        path: `/v1/admin/sessions/${holder.sessionId}/disconnect`,
        token: asker.token,
        body: { reason: REASON },
      },
      timeoutMs,
    );
    if (answer.status !== 202)
      return failed(CHECK, `the Disconnect on ${asked.name} answered ${describeAnswer(answer)}`);
    await within(allClosed, timeoutMs, () => {
      const open = holders.filter((_, i) => sockets[i]!.connected).map((n) => n.name);
      return `the socket on ${open.join(', ')} was still open ${timeoutMs / 1000} s after the Disconnect on ${asked.name} (does the Redis adapter reach every pod?)`;
    });
    const { socketsDisconnected, allNodesReached } = answer.body as {
      socketsDisconnected?: number;
      allNodesReached?: boolean;
    };
    if (allNodesReached !== true) {
      return failed(CHECK, `the Disconnect on ${asked.name} did not hear from every api node (allNodesReached false)`);
    }
    const where = holders.map((n) => n.name).join(', ');
    const one = nodes.length === 1 ? '; one api pod only, so not across pods' : '';
    return passed(
      CHECK,
      `a Disconnect asked of ${asked.name} closed the check session's socket on ${where} ` +
        `(${socketsDisconnected} socket(s) disconnected${one})`,
    );
  } catch (error) {
    return failed(CHECK, reasonOf(error));
  } finally {
    for (const socket of sockets) socket.disconnect();
    await Promise.all(sessions.map((session) => signOut(session, timeoutMs)));
  }
}

/** A socket.io connection over WebSocket only (no sticky sessions needed), admitted by the gateway. */
function connected(node: ApiNode, token: string, timeoutMs: number): Promise<Socket> {
  const socket = io(node.url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: timeoutMs,
    auth: { token },
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.disconnect();
      reject(new Error(`the socket.io connection to ${node.name} failed: ${error.message}`));
    });
  });
}

/** Resolves once the server has told the socket to step up for the check's reason and closed it. */
function forcedClose(socket: Socket, node: ApiNode): Promise<void> {
  return new Promise((resolve, reject) => {
    let told = false;
    socket.once(STEP_UP_REQUIRED_EVENT, (payload: { reason?: unknown }) => {
      told = payload?.reason === REASON;
    });
    socket.once('disconnect', (why) => {
      if (told && why === 'io server disconnect') resolve();
      else reject(new Error(`the socket on ${node.name} closed (${why}) without a step-up request for the check`));
    });
  });
}

async function within<T>(work: Promise<T>, ms: number, late: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(late())), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
