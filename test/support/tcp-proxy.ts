import { createServer, type Server, type Socket, connect } from 'node:net';

/**
 * A TCP forwarder on a loopback port that a test points at one backend or another: what the Service in
 * front of a PostgreSQL cluster does (CloudNativePG's `<cluster>-rw`), which a failover moves to the new
 * primary. Moving it cuts every connection made through it, as the old primary going away does.
 */
export class TcpProxy {
  private readonly open = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private target: number,
  ) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server, targetPort);
    server.on('connection', (client) => proxy.forward(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  /** New connections go to `targetPort`; those made before are cut. */
  pointTo(targetPort: number): void {
    this.target = targetPort;
    for (const socket of this.open) socket.destroy();
  }

  async close(): Promise<void> {
    for (const socket of this.open) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(client: Socket): void {
    const backend = connect(this.target, '127.0.0.1');
    for (const [socket, other] of [
      [client, backend],
      [backend, client],
    ] as const) {
      this.open.add(socket);
      socket.on('error', () => other.destroy());
      socket.on('close', () => {
        this.open.delete(socket);
        other.destroy();
      });
    }
    client.pipe(backend);
    backend.pipe(client);
  }
}
