import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request as the receiver saw it, and which of its secrets verified it (standardwebhooks' verify). */
export interface ReceivedWebhook {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The receiver's secrets that verified the request, by index. */
  verifiedBy: number[];
  /** The connection's client port: the same one on two requests means a kept-alive connection. */
  remotePort: number;
}

/** How the receiver answers a request; by default 204 after reading it. */
export type Answer = (request: ReceivedWebhook, response: ServerResponse, n: number) => void;

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>/hook`, or https with a certificate */
  url: string;
  port: number;
  received: ReceivedWebhook[];
  answer: Answer;
  close(): Promise<void>;
}

/**
 * A real webhook receiver on loopback that checks every request with the Standard Webhooks reference
 * library, once per secret it knows (the old and the new one, during a rotation test).
 */
export async function startWebhookReceiver(
  secrets: readonly string[],
  tls?: { cert: string; key: string },
): Promise<WebhookReceiver> {
  const verifiers = secrets.map((secret) => new Webhook(secret));
  const receiver: WebhookReceiver = {
    url: '',
    port: 0,
    received: [],
    answer: (_request, response) => response.writeHead(204).end(),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = request.headers;
      const verifiedBy = verifiers.flatMap((verifier, index) => {
        try {
          verifier.verify(body, headers as Record<string, string>);
          return [index];
        } catch {
          return [];
        }
      });
      const seen: ReceivedWebhook = {
        method: request.method ?? '',
        path: request.url ?? '',
        headers,
        body,
        verifiedBy,
        remotePort: request.socket.remotePort ?? 0,
      };
      receiver.received.push(seen);
      receiver.answer(seen, response, receiver.received.length);
    });
  };
  const server = tls ? createTlsServer(tls, handle) : createServer(handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `${tls ? 'https' : 'http'}://127.0.0.1:${receiver.port}/hook`;
  return receiver;
}
