import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request as the receiver took it, verified by the Standard Webhooks reference implementation. */
export interface ReceivedRequest {
  webhookId: string;
  signatures: string[];
  /** The rendered items of the request (a single event is an array of one). */
  items: Record<string, unknown>[];
  answered: number;
}

/** What the receiver answers to the next request: a status (with headers), or no answer at all (a hang). */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/**
 * A SIEM-side webhook endpoint on loopback. Every request must verify with `standardwebhooks` against one of
 * the secrets it knows (an unverified request fails the test through `problems`). It can answer with any
 * status, hang, or go down and come back on the same port.
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  readonly problems: string[] = [];
  /** Decides each answer (a promise holds the request until it settles); 200 by default. */
  answer: (request: ReceivedRequest) => Answer | Promise<Answer> = () => ({ status: 200 });
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private listeners: (() => void)[] = [];
  port = 0;

  constructor(public secrets: string[] = []) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/siem/hook`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Down: refuses connections (and cuts the open ones) until `start` again. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The distinct audit events received (duplicates of a retried request counted once), in arrival order. */
  events(): Record<string, unknown>[] {
    return this.items().filter((item) => item['type'] === 'audit_event');
  }

  /** The distinct signed checkpoints received, in arrival order. */
  checkpoints(): Record<string, unknown>[] {
    return this.items().filter((item) => item['type'] === 'audit_checkpoint');
  }

  /** Every distinct item received (native format), in arrival order. */
  items(): Record<string, unknown>[] {
    const seen = new Set<string>();
    const out: Record<string, unknown>[] = [];
    for (const request of this.requests.filter((r) => r.answered >= 200 && r.answered < 300)) {
      for (const item of request.items) {
        const key =
          item['type'] === 'audit_checkpoint'
            ? `checkpoint ${String(item['tenantId'])} ${String(item['number'])}`
            : String(item['id']);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(item);
      }
    }
    return out;
  }

  /** Calls `wake` after each request: for `waitUntil(..., { wakeOn })`. */
  onRequest = (wake: () => void) => {
    this.listeners.push(wake);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== wake);
    };
  };

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const headers = {
      'webhook-id': String(req.headers['webhook-id'] ?? ''),
      'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
      'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
    };
    // The sink's secret is known once its creation has answered; delivery may start a moment before.
    if (this.secrets.length === 0) {
      res.writeHead(503, { 'retry-after': '0' }).end();
      return;
    }
    const verified = this.secrets.some((secret) => {
      try {
        new Webhook(secret).verify(body, headers);
        return true;
      } catch {
        return false;
      }
    });
    if (!verified) this.problems.push(`request ${headers['webhook-id']} did not verify with any known secret`);
    const parsed = JSON.parse(body) as Record<string, unknown> | Record<string, unknown>[];
    const request: ReceivedRequest = {
      webhookId: headers['webhook-id'],
      signatures: headers['webhook-signature'].split(' '),
      items: Array.isArray(parsed) ? parsed : [parsed],
      answered: 0,
    };
    const answer = verified ? await this.answer(request) : { status: 401 };
    if (answer === 'hang') {
      this.requests.push(request);
      this.notify();
      return;
    }
    request.answered = answer.status;
    this.requests.push(request);
    res.writeHead(answer.status, answer.headers).end(answer.body ?? '');
    this.notify();
  }

  private notify(): void {
    for (const wake of [...this.listeners]) wake();
  }
}

export async function startWebhookReceiver(secrets: string[] = []): Promise<WebhookReceiver> {
  const receiver = new WebhookReceiver(secrets);
  await receiver.start();
  return receiver;
}
