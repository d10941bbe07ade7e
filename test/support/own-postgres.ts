import { execFile } from 'node:child_process';
import { access, chmod, chown, constants, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.js';
import type { Issued } from './test-pki.js';

const run = promisify(execFile);
const SERVER_BINARIES = ['initdb', 'pg_ctl', 'postgres', 'pg_basebackup'];
const INSTALL = 'apt-get install -y postgresql';

/** TLS as CloudNativePG and managed services serve it: required of every TCP connection. */
export interface OwnPostgresTls {
  /** The server's certificate (for 127.0.0.1) and key. */
  server: Issued;
  /** The certificate of the CA that signed it, which clients verify it with. */
  caFile: string;
}

/**
 * A PostgreSQL server this test owns: `initdb` on a temporary directory, a free loopback port, trust
 * authentication, started and stopped with `pg_ctl`, so a test can restart or crash it without touching
 * the shared server the other test files use. PostgreSQL refuses to run as root, so under root (CI and
 * this machine) every command runs as the `postgres` user, who owns the directory.
 */
export class OwnPostgres {
  running = false;

  private constructor(
    private readonly bin: string,
    private readonly dir: string,
    readonly port: number,
    private readonly runAs: string | undefined,
    private readonly tls?: OwnPostgresTls,
  ) {}

  static async start(options: { tls?: OwnPostgresTls } = {}): Promise<OwnPostgres> {
    const bin = await serverBinDir();
    const runAs = process.getuid?.() === 0 ? 'postgres' : undefined;
    const dir = await mkdtemp(join(tmpdir(), 'stepguard-pg-'));
    const server = new OwnPostgres(bin, dir, await freePort(), runAs, options.tls);
    try {
      if (runAs) await chown(dir, ...(await uidGid(runAs)));
      await server.pg('initdb', ['-D', server.dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
      if (options.tls) await server.requireTls(options.tls);
      await server.start();
    } catch (error) {
      await server.dispose();
      throw error;
    }
    return server;
  }

  /**
   * A hot standby of `primary` (`pg_basebackup -R`: streaming replication from it), started on a port of
   * its own, as CloudNativePG runs its replicas.
   */
  static async standbyOf(primary: OwnPostgres): Promise<OwnPostgres> {
    const dir = await mkdtemp(join(tmpdir(), 'stepguard-pg-standby-'));
    const standby = new OwnPostgres(primary.bin, dir, await freePort(), primary.runAs);
    try {
      if (standby.runAs) await chown(dir, ...(await uidGid(standby.runAs)));
      const source = ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres'];
      await standby.pg('pg_basebackup', [...source, '-D', standby.dataDir, '-R', '-X', 'stream', '--no-sync']);
      await standby.start();
    } catch (error) {
      await standby.dispose();
      throw error;
    }
    return standby;
  }

  /**
   * From now on a commit waits until a standby has it on disk too (synchronous_commit `on` with a
   * synchronous standby): the setting under which a failover loses no acknowledged write.
   */
  async requireSynchronousStandby(): Promise<void> {
    await this.query(`alter system set synchronous_standby_names = '*'`);
    await this.query('select pg_reload_conf()');
  }

  /** The standby becomes a primary that takes writes (`pg_ctl promote`), as a failover does. */
  async promote(): Promise<void> {
    await this.pg('pg_ctl', ['promote', '-w', '-t', '60', '-D', this.dataDir]);
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** With TLS, the URL asks for it and verifies the server against the CA, as a client of such a server must. */
  url(database = 'postgres'): string {
    const url = new URL(`postgresql://postgres@127.0.0.1:${this.port}/${database}`);
    if (this.tls) {
      url.searchParams.set('sslmode', 'verify-full');
      url.searchParams.set('sslrootcert', this.tls.caFile);
    }
    return url.toString();
  }

  /** Starts the server and returns once it accepts connections (`pg_ctl -w`). */
  async start(): Promise<void> {
    let options = `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${this.dir}`;
    if (this.tls) options += ' -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key';
    await this.pg('pg_ctl', ['start', '-w', '-t', '60', '-D', this.dataDir, '-l', this.logFile, '-o', options]);
    this.running = true;
  }

  /**
   * `fast` ends every session and checkpoints, as an orchestrator's restart does; `immediate` kills the
   * server outright and the next start recovers from the WAL, as after a crash or a failover.
   */
  async stop(mode: 'fast' | 'immediate'): Promise<void> {
    await this.pg('pg_ctl', ['stop', '-w', '-t', '60', '-m', mode, '-D', this.dataDir]);
    this.running = false;
  }

  async createDatabase(name: string): Promise<string> {
    await this.query(`create database ${pg.escapeIdentifier(name)}`);
    return this.url(name);
  }

  /** One statement on the `postgres` database, on a connection of its own. */
  async query<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  /** The server's own log, for a failure message. */
  async log(): Promise<string> {
    return readFile(this.logFile, 'utf8').catch(() => '');
  }

  async dispose(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  /** The server's certificate and key in the data directory, and host lines that take TLS only. */
  private async requireTls(tls: OwnPostgresTls): Promise<void> {
    const files: [string, string, number][] = [
      ['server.crt', tls.server.cert, 0o644],
      ['server.key', tls.server.key, 0o600],
      ['pg_hba.conf', 'local all all trust\nhostssl all all 127.0.0.1/32 trust\n', 0o600],
    ];
    const owner = this.runAs ? await uidGid(this.runAs) : undefined;
    for (const [name, text, mode] of files) {
      const path = join(this.dataDir, name);
      await writeFile(path, text);
      await chmod(path, mode);
      if (owner) await chown(path, ...owner);
    }
  }

  private get logFile(): string {
    return join(this.dir, 'server.log');
  }

  private async pg(binary: string, args: string[]): Promise<void> {
    const path = join(this.bin, binary);
    const [file, argv] = this.runAs ? ['runuser', ['-u', this.runAs, '--', path, ...args]] : [path, args];
    try {
      await run(file, argv, { cwd: this.dir });
    } catch (error) {
      const { stderr, stdout } = error as { stderr?: string; stdout?: string };
      throw new Error(`${binary} ${args.join(' ')} failed:\n${stderr ?? ''}${stdout ?? ''}\n${await this.log()}`);
    }
  }
}

/**
 * The directory holding initdb, pg_ctl and postgres: `pg_config --bindir` when it names one (it can
 * belong to libpq's package and name a directory without them), else the newest Debian-style
 * /usr/lib/postgresql/<version>/bin.
 */
async function serverBinDir(): Promise<string> {
  const candidates: string[] = [];
  const fromPgConfig = await run('pg_config', ['--bindir']).catch(() => undefined);
  if (fromPgConfig) candidates.push(fromPgConfig.stdout.trim());
  const versions = await readdir('/usr/lib/postgresql').catch(() => [] as string[]);
  versions.sort((a, b) => Number(b) - Number(a));
  candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  for (const dir of candidates) if (await hasServerBinaries(dir)) return dir;
  throw new Error(
    `No PostgreSQL server binaries (initdb, pg_ctl) in ${candidates.join(', ') || 'any place looked at'}: ${INSTALL}`,
  );
}

async function hasServerBinaries(dir: string): Promise<boolean> {
  const found = await Promise.all(
    SERVER_BINARIES.map((b) =>
      access(join(dir, b), constants.X_OK).then(
        () => true,
        () => false,
      ),
    ),
  );
  return found.every(Boolean);
}

async function uidGid(user: string): Promise<[number, number]> {
  const [uid, gid] = await Promise.all([run('id', ['-u', user]), run('id', ['-g', user])]);
  return [Number(uid.stdout.trim()), Number(gid.stdout.trim())];
}
