import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { constants } from 'node:fs';
import { access, mkdir, readFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError } from '../../config/index.js';
import { isRunning } from './data-dir-lock.js';

export const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';
const READY_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 5_000;

export interface EmbeddedRedis {
  url: string;
  stop(): Promise<void>;
}

/**
 * Redis for a start without REDIS_URL: the local default port if it answers, else a `redis-server`
 * from PATH with its data under `<dataDir>/redis`, else a ConfigError saying how to get one.
 */
export async function resolveLocalRedis(
  dataDir: string,
  log: (line: string) => void,
  probe: { localUrl?: string; searchPath?: string } = {},
): Promise<EmbeddedRedis> {
  const localUrl = probe.localUrl ?? LOCAL_REDIS_URL;
  if (await answersPing(localUrl)) {
    log(`REDIS_URL is not set: using the Redis answering on ${localUrl}`);
    return { url: localUrl, stop: async () => undefined };
  }
  const binary = await findOnPath('redis-server', probe.searchPath);
  if (!binary) {
    throw new ConfigError(
      `REDIS_URL: not set, nothing answers on ${localUrl} and redis-server is not on PATH. Set REDIS_URL ` +
        '(e.g. redis://localhost:6379), or install Redis (e.g. `apt-get install redis-server` or `brew install redis`)',
    );
  }
  const redis = await spawnRedisServer({ binary, dataDir, port: await freePort() });
  log(`REDIS_URL is not set: started ${binary} on ${redis.url}, data in ${join(dataDir, 'redis')}`);
  return redis;
}

/** Runs `redis-server` as a child process on 127.0.0.1:`port` and waits until it answers PING. */
export async function spawnRedisServer(input: {
  dataDir: string;
  port: number;
  binary?: string;
}): Promise<EmbeddedRedis> {
  const dir = join(input.dataDir, 'redis');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const logFile = join(dir, 'redis.log');
  const pidFile = join(dir, 'redis.pid');
  await refuseLeftoverServer(pidFile, dir);
  const args = ['--port', String(input.port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--dir', dir];
  // An append-only file instead of snapshots: queued jobs survive a restart without fork-heavy saves.
  args.push('--save', '', '--appendonly', 'yes', '--daemonize', 'no', '--logfile', logFile, '--pidfile', pidFile);
  const child = spawn(input.binary ?? 'redis-server', args, { stdio: 'ignore' });
  let failure: string | undefined;
  child.on('error', (error) => (failure = error.message));
  const exited = once(child, 'exit').then(
    ([code, signal]) => (failure ??= `exited with ${code ?? signal}`),
    () => undefined,
  );
  // SIGTERM, not SIGKILL: redis-server finishes writing its append-only file after we are gone.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);

  const url = `redis://127.0.0.1:${input.port}`;
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await answersPing(url))) {
    if (failure || Date.now() > deadline) {
      await stop();
      const detail = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-3).join(' | ');
      throw new ConfigError(
        `REDIS_URL: not set, and redis-server did not start on port ${input.port}: ${failure ?? 'no answer'}` +
          (detail ? ` (${detail})` : ''),
      );
    }
    await sleep(50);
  }
  return { url, stop };
}

/**
 * A redis-server orphaned by a killed Stepguard still writes the append-only file in `dir`; a
 * second one on the same files would corrupt them. It is not ours to kill, so say which it is.
 */
async function refuseLeftoverServer(pidFile: string, dir: string): Promise<void> {
  const pid = Number.parseInt(await readFile(pidFile, 'utf8').catch(() => ''), 10);
  if (!isRunning(pid)) return;
  const name = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => 'redis-server');
  if (!name.includes('redis')) return;
  throw new ConfigError(
    `REDIS_URL: not set, and a redis-server left by an earlier run (pid ${pid}) still uses ${dir}: ` +
      `stop it (kill ${pid}) or set REDIS_URL`,
  );
}

/**
 * True when something at `url` answers PING within `timeoutMs`; an auth-protected server does not
 * count. Spoken inline rather than through ioredis, whose connect waits on its own handshake and
 * lingers seconds on a port held by something that is not Redis.
 */
export function answersPing(url: string, timeoutMs = 500): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    let reply = '';
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.on('error', () => done(false));
    socket.on('end', () => done(false));
  });
}

export async function findOnPath(name: string, searchPath = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of searchPath.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return undefined;
}

/** A port the OS reports free; redis-server cannot be told to pick one itself. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no TCP address for a free port');
  return address.port;
}
