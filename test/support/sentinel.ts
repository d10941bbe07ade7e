import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { freePort } from './free-port.js';
import { dataNodeConfig, type SentinelSetTls, sentinelConfig, type SetConfig } from './sentinel-config.js';
import { waitUntil } from './wait.js';

export type { SentinelSetTls } from './sentinel-config.js';

const MASTER_NAME = 'stepguard-test';
const USER = 'stepguard';

/**
 * A Redis master, one replica and three sentinels (quorum 2) on free loopback ports, run by
 * `redis-server` (`--sentinel` for the sentinels) from a temporary directory; data nodes log in as an
 * ACL user, sentinels with a password, as a hardened install would. Quick to fail over: a master is
 * down after one second without an answer.
 */
export class SentinelSet {
  private readonly processes = new Map<number, ChildProcess>();
  private readonly password = randomBytes(12).toString('hex');
  private readonly sentinelPassword = randomBytes(12).toString('hex');

  private constructor(
    private readonly dir: string,
    readonly dataPorts: [number, number],
    readonly sentinelPorts: number[],
    private readonly tls: (SentinelSetTls & { ca: string }) | undefined,
  ) {}

  static async start(tls?: SentinelSetTls): Promise<SentinelSet> {
    const dir = await mkdtemp(join(tmpdir(), 'stepguard-sentinel-'));
    const ports = await distinctFreePorts(5);
    const withCa = tls && { ...tls, ca: await readFile(tls.caFile, 'utf8') };
    const set = new SentinelSet(dir, [ports[0]!, ports[1]!], ports.slice(2), withCa);
    try {
      await set.startDataNode(ports[0]!);
      await set.startDataNode(ports[1]!, ports[0]!);
      await set.waitForReplicaInSync(ports[1]!);
      for (const port of set.sentinelPorts) await set.startSentinel(port, ports[0]!);
      await Promise.all(set.sentinelPorts.map((port) => set.waitUntilSentinelSeesAll(port)));
      return set;
    } catch (error) {
      await set.stop();
      throw error;
    }
  }

  /** The settings that point Stepguard at this set. */
  get env(): Record<string, string> {
    return {
      REDIS_SENTINELS: this.sentinelPorts.map((port) => `127.0.0.1:${port}`).join(','),
      REDIS_SENTINEL_NAME: MASTER_NAME,
      REDIS_SENTINEL_PASSWORD: this.sentinelPassword,
      REDIS_USERNAME: USER,
      REDIS_PASSWORD: this.password,
      ...(this.tls && { REDIS_TLS: 'true', REDIS_TLS_CA_FILE: this.tls.caFile }),
    };
  }

  /** The port of the data node the (first) sentinel names as master now. */
  async masterPort(): Promise<number> {
    const sentinel = this.sentinel(this.sentinelPorts[0]!);
    try {
      const [, port] = (await sentinel.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME)) as [string, string];
      return Number(port);
    } finally {
      sentinel.disconnect();
    }
  }

  /**
   * Listens on a sentinel for its next `+switch-master` (the end of a failover, once it has promoted a
   * replica) and resolves with the old and new master ports. Resolves once subscribed: call it, then
   * cause the failover, then await `switched`.
   */
  async nextSwitch(timeoutMs = 60_000): Promise<{ switched: Promise<{ from: number; to: number }> }> {
    const subscriber = this.sentinel(this.sentinelPorts[0]!);
    const announced: { from: number; to: number }[] = [];
    const heard = new Set<() => void>();
    subscriber.on('message', (_channel: string, message: string) => {
      // "<name> <old ip> <old port> <new ip> <new port>"
      const [name, , from, , to] = message.split(' ');
      if (name !== MASTER_NAME) return;
      announced.push({ from: Number(from), to: Number(to) });
      for (const wake of heard) wake();
    });
    await subscriber.subscribe('+switch-master');
    const switched = waitUntil(() => announced[0], {
      what: `+switch-master of ${MASTER_NAME} on sentinel ${this.sentinelPorts[0]}`,
      timeoutMs,
      wakeOn: (wake) => (heard.add(wake), () => heard.delete(wake)),
    })
      .catch(async (error: Error) => {
        throw new Error(`${error.message}\nsentinel logs:\n${await this.sentinelLogs()}`);
      })
      .finally(() => subscriber.disconnect());
    return { switched: switched as Promise<{ from: number; to: number }> };
  }

  /** Kills a data node outright (SIGKILL): a crash, as clients and sentinels see it. */
  async kill(port: number): Promise<void> {
    const child = this.processes.get(port);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /**
   * Starts a killed data node again with its own configuration, and waits until it is a replica in sync
   * that every sentinel counts on: the sentinels turn a returning old master into a replica of the new one.
   */
  async restart(port: number): Promise<void> {
    const child = spawn('redis-server', [join(this.dir, `redis-${port}`, 'redis.conf')], { stdio: 'ignore' });
    this.processes.set(port, child);
    await this.waitForReplicaInSync(port);
    await Promise.all(this.sentinelPorts.map((sentinel) => this.waitUntilSentinelSeesAll(sentinel)));
  }

  /**
   * Asks a sentinel for a failover of a healthy master (`SENTINEL FAILOVER`, as for maintenance): it
   * promotes the replica and turns the old master into a replica of it, up and running. Retried while the
   * sentinel finds no replica it would promote yet (it learns of a replica's state every few seconds).
   */
  async failover(): Promise<void> {
    const sentinel = this.sentinel(this.sentinelPorts[0]!);
    try {
      await waitUntil(() => sentinel.call('SENTINEL', 'failover', MASTER_NAME).catch((error: Error) => error.message), {
        what: `a sentinel accepting SENTINEL FAILOVER ${MASTER_NAME}`,
        timeoutMs: 30_000,
        until: (reply) => reply === 'OK',
      });
    } finally {
      sentinel.disconnect();
    }
  }

  /** A client of a data node, logged in as the set's user. */
  dataNode(port: number): Redis {
    return quiet(new Redis({ ...this.clientOptions(port), username: USER, password: this.password }));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes.keys()].map((port) => this.kill(port)));
    await rm(this.dir, { recursive: true, force: true });
  }

  private get setConfig(): SetConfig {
    const { password, sentinelPassword, tls } = this;
    return { masterName: MASTER_NAME, user: USER, password, sentinelPassword, ...(tls && { tls }) };
  }

  private sentinel(port: number): Redis {
    return quiet(new Redis({ ...this.clientOptions(port), password: this.sentinelPassword }));
  }

  private clientOptions(port: number): RedisOptions {
    return {
      host: '127.0.0.1',
      port,
      // Retried until the process listens: waiting for it to come up, not for time.
      retryStrategy: () => 50,
      maxRetriesPerRequest: null,
      ...(this.tls && { tls: { ca: [this.tls.ca] } }),
    };
  }

  private async startDataNode(port: number, replicaOf?: number): Promise<void> {
    const dir = join(this.dir, `redis-${port}`);
    await mkdir(dir);
    await this.run(port, dir, dataNodeConfig(this.setConfig, port, dir, replicaOf));
    const client = this.dataNode(port);
    try {
      await client.ping();
    } finally {
      client.disconnect();
    }
  }

  private async startSentinel(port: number, masterPort: number): Promise<void> {
    const dir = join(this.dir, `sentinel-${port}`);
    await mkdir(dir);
    await this.run(port, dir, sentinelConfig(this.setConfig, port, dir, masterPort), ['--sentinel']);
  }

  /** Writes the configuration (sentinels rewrite theirs, so it is a file) and starts the process. */
  private async run(port: number, dir: string, config: string[], args: string[] = []): Promise<void> {
    const file = join(dir, 'redis.conf');
    await writeFile(file, `${config.join('\n')}\n`);
    const child = spawn('redis-server', [file, ...args], { stdio: 'ignore' });
    this.processes.set(port, child);
  }

  private async waitForReplicaInSync(port: number): Promise<void> {
    const replica = this.dataNode(port);
    try {
      await waitUntil(() => replica.info('replication'), {
        what: `the replica on ${port} in sync with its master`,
        timeoutMs: 30_000,
        until: (info) => /master_link_status:up/.test(info),
      });
    } finally {
      replica.disconnect();
    }
  }

  /** Until a sentinel knows the replica and the two other sentinels, it could not take part in a failover. */
  private async waitUntilSentinelSeesAll(port: number): Promise<void> {
    const sentinel = this.sentinel(port);
    const seen = async () => {
      const replicas = (await sentinel.call('SENTINEL', 'replicas', MASTER_NAME)) as string[][];
      const sentinels = (await sentinel.call('SENTINEL', 'sentinels', MASTER_NAME)) as string[][];
      const up = (fields: string[]) => !/s_down|o_down|disconnected/.test(fields[fields.indexOf('flags') + 1] ?? '');
      return { replicas: replicas.filter(up).length, sentinels: sentinels.filter(up).length };
    };
    try {
      await waitUntil(seen, {
        what: `sentinel ${port} knowing the replica and the other two sentinels`,
        timeoutMs: 30_000,
        until: (found) => found.replicas === 1 && found.sentinels === 2,
      });
    } finally {
      sentinel.disconnect();
    }
  }

  private async sentinelLogs(): Promise<string> {
    const logs = await Promise.all(
      this.sentinelPorts.map((port) =>
        readFile(join(this.dir, `sentinel-${port}`, 'sentinel.log'), 'utf8').catch(() => ''),
      ),
    );
    return logs.join('\n---\n');
  }
}

/** Refused connections while a process starts are expected (the client retries); they are not news. */
function quiet(client: Redis): Redis {
  client.on('error', () => undefined);
  return client;
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}
