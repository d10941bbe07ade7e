import { readFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { endianness } from 'node:os';
import ipaddr from 'ipaddr.js';

/** What the kernel says about a connection's sent bytes. */
export type SendQueue =
  /** Still established; `unacknowledged` bytes were sent (or queued) and not yet acknowledged by the peer. */
  | { state: 'established'; unacknowledged: number }
  /** The peer closed its side, or the connection is gone (reset, closed): nothing written now is read. */
  | { state: 'closed' }
  /** The kernel's table cannot be read (not Linux, /proc hidden): nothing is known beyond the write. */
  | { state: 'unknown' };

const ESTABLISHED = '01';

/**
 * The connection's row of /proc/net/tcp (tcp6 for IPv6): `tx_queue` of an established socket is
 * write_seq − snd_una, the bytes the peer's TCP stack has not acknowledged yet. Node exposes neither
 * TCP_INFO nor SIOCOUTQ, and this table is readable by any process for its own network namespace.
 */
export async function sendQueueOf(socket: Socket): Promise<SendQueue> {
  const { localAddress, localPort, remoteAddress, remotePort, remoteFamily } = socket;
  if (!localAddress || !localPort || !remoteAddress || !remotePort) return { state: 'closed' };
  let table: string;
  try {
    table = await readFile(remoteFamily === 'IPv6' ? '/proc/net/tcp6' : '/proc/net/tcp', 'latin1');
  } catch {
    return { state: 'unknown' };
  }
  let local: string, remote: string;
  try {
    local = procAddress(localAddress, localPort);
    remote = procAddress(remoteAddress, remotePort);
  } catch {
    return { state: 'unknown' };
  }
  for (const line of table.split('\n')) {
    const [, from, to, state, queues] = line.trim().split(/\s+/);
    if (from !== local || to !== remote) continue;
    if (state !== ESTABLISHED) return { state: 'closed' };
    return { state: 'established', unacknowledged: Number.parseInt(queues!.split(':')[0]!, 16) };
  }
  return { state: 'closed' };
}

/** The table's `ADDRESS:PORT`: each 32-bit word of the address printed in host byte order, upper-case hex. */
function procAddress(address: string, port: number): string {
  const bytes = ipaddr.parse(address).toByteArray();
  const words: string[] = [];
  for (let i = 0; i < bytes.length; i += 4) {
    const word = bytes.slice(i, i + 4);
    words.push(Buffer.from(endianness() === 'LE' ? word.reverse() : word).toString('hex'));
  }
  return `${words.join('')}:${port.toString(16).padStart(4, '0')}`.toUpperCase();
}
