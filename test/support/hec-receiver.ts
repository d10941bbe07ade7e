import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small Splunk HTTP Event Collector on loopback, speaking HEC's documented protocol: token auth
 * (`Authorization: Splunk <token>`), JSON event envelopes concatenated in one body at
 * `/services/collector/event`, HEC's `{ text, code }` answers, and indexer acknowledgement (a channel per
 * client, an `ackId` per request, `/services/collector/ack` answering `{ acks: { id: bool } }`).
 * It is a receiver for the transport's tests, not a stand-in for the transport.
 */
export interface HecEnvelope {
  time?: number;
  host?: string;
  source?: string;
  sourcetype?: string;
  index?: string;
  event: unknown;
}

export interface HecRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface HecReceiverOptions {
  token: string;
  /** Whether the token has indexer acknowledgement on. */
  ack?: boolean;
  /** Whether the token is disabled (403, code 1). */
  disabled?: boolean;
}

export interface HecReceiver {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Every event indexed (or held for indexing), in order. */
  events: HecEnvelope[];
  requests: HecRequest[];
  ackQueries: HecRequest[];
  /** While true, batches wait to be indexed until `indexAll()`. */
  holdIndexing: boolean;
  indexAll(): void;
  /** Answers the next event requests instead of the protocol (busy, odd failures), when it returns one. */
  override?: (request: HecRequest) => { status: number; body: unknown; headers?: Record<string, string> } | undefined;
  close(): Promise<void>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A sticky-session cookie, as a load balancer in front of indexers sets it. */
const STICKY = 'hec_node=indexer-1';

export async function startHecReceiver(options: HecReceiverOptions): Promise<HecReceiver> {
  const channels = new Map<string, { next: number; indexed: Map<number, boolean> }>();
  const held: (() => void)[] = [];

  const receiver: HecReceiver = {
    url: '',
    port: 0,
    events: [],
    requests: [],
    ackQueries: [],
    holdIndexing: false,
    indexAll: () => held.splice(0).forEach((index) => index()),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };

  const reply = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

  /** The auth and channel checks both endpoints share; answers and returns undefined when one fails. */
  const admit = (request: HecRequest, response: ServerResponse, url: URL): string | null | undefined => {
    const authorization = request.headers.authorization;
    if (!authorization) return void reply(response, 401, { text: 'Token is required', code: 2 });
    const token = /^Splunk (\S+)$/.exec(authorization)?.[1];
    if (!token) return void reply(response, 401, { text: 'Invalid authorization', code: 3 });
    if (token !== options.token) return void reply(response, 403, { text: 'Invalid token', code: 4 });
    if (options.disabled) return void reply(response, 403, { text: 'Token disabled', code: 1 });
    if (!options.ack) return null;
    const channel =
      (request.headers['x-splunk-request-channel'] as string | undefined) ?? url.searchParams.get('channel');
    if (!channel) return void reply(response, 400, { text: 'Data channel is missing', code: 10 });
    if (!GUID.test(channel)) return void reply(response, 400, { text: 'Invalid data channel', code: 11 });
    return channel;
  };

  const onEvents = (request: HecRequest, response: ServerResponse, url: URL) => {
    const overridden = receiver.override?.(request);
    if (overridden) return reply(response, overridden.status, overridden.body, overridden.headers);
    const channel = admit(request, response, url);
    if (channel === undefined) return;
    if (request.body.trim() === '') return reply(response, 400, { text: 'No data', code: 5 });
    let envelopes: HecEnvelope[];
    try {
      envelopes = splitConcatenatedJson(request.body).map((text) => JSON.parse(text) as HecEnvelope);
    } catch {
      return reply(response, 400, { text: 'Invalid data format', code: 6, 'invalid-event-number': 0 });
    }
    for (const [n, envelope] of envelopes.entries()) {
      if (envelope === null || typeof envelope !== 'object' || !('event' in envelope)) {
        return reply(response, 400, { text: 'Event field is required', code: 12, 'invalid-event-number': n });
      }
      if (envelope.event === '' || envelope.event === null) {
        return reply(response, 400, { text: 'Event field cannot be blank', code: 13, 'invalid-event-number': n });
      }
    }
    receiver.events.push(...envelopes);
    if (channel === null) return reply(response, 200, { text: 'Success', code: 0 });
    const state = channels.get(channel) ?? { next: 0, indexed: new Map<number, boolean>() };
    channels.set(channel, state);
    const ackId = state.next++;
    state.indexed.set(ackId, false);
    const index = () => state.indexed.set(ackId, true);
    if (receiver.holdIndexing) held.push(index);
    else index();
    reply(response, 200, { text: 'Success', code: 0, ackId }, { 'set-cookie': `${STICKY}; Path=/; HttpOnly` });
  };

  const onAck = (request: HecRequest, response: ServerResponse, url: URL) => {
    receiver.ackQueries.push(request);
    const channel = admit(request, response, url);
    if (channel === undefined) return;
    if (channel === null) return reply(response, 400, { text: 'ACK is disabled', code: 14 });
    let ids: unknown;
    try {
      ids = (JSON.parse(request.body) as { acks?: unknown }).acks;
    } catch {
      return reply(response, 400, { text: 'Invalid data format', code: 6 });
    }
    if (!Array.isArray(ids)) return reply(response, 400, { text: 'Invalid data format', code: 6 });
    const state = channels.get(channel);
    // The indexer behind the sticky cookie is the one that knows this channel's ackIds.
    const sticky = request.headers.cookie?.split(/;\s*/).includes(STICKY) ?? false;
    const acks = Object.fromEntries(
      ids.map((id) => [String(id), sticky && state?.indexed.get(Number(id)) === true] as const),
    );
    reply(response, 200, { acks });
  };

  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://hec');
      const request: HecRequest = {
        path: url.pathname,
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      if (incoming.method !== 'POST') return reply(response, 405, { text: 'Method not allowed', code: 404 });
      if (url.pathname === '/services/collector/ack') return onAck(request, response, url);
      receiver.requests.push(request);
      if (url.pathname === '/services/collector/event' || url.pathname === '/services/collector') {
        return onEvents(request, response, url);
      }
      reply(response, 404, { text: 'The requested URL was not found on this server.', code: 404 });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}`;
  return receiver;
}

/** The JSON objects of a body that concatenates them (white space between them allowed), as HEC reads it. */
export function splitConcatenatedJson(body: string): string[] {
  const objects: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth === 0) {
        if (c === '[') throw new SyntaxError(`a top-level array at ${i}`);
        start = i;
      }
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth < 0) throw new SyntaxError(`unbalanced ${c} at ${i}`);
      if (depth === 0) objects.push(body.slice(start, i + 1));
    } else if (depth === 0 && !/\s/.test(c)) {
      throw new SyntaxError(`${JSON.stringify(c)} between events at ${i}`);
    }
  }
  if (depth !== 0 || inString) throw new SyntaxError('an event is cut short');
  return objects;
}
