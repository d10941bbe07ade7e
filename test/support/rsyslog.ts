import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import type { Issued, TestCa } from './test-pki.js';
import { waitUntil } from './wait.js';

export interface RsyslogOptions {
  ca: TestCa;
  server: Issued;
  /** Accept only clients with a certificate signed by `ca` (gtls `x509/certvalid`); any client otherwise. */
  requireClientCert?: boolean;
}

const INSTALL = 'apt-get install -y rsyslog rsyslog-gnutls';

/** A message as rsyslog parsed it (RFC 5424 header, mmpstrucdata's structured data) and as it came. */
export interface ReceivedMessage {
  pri: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  /** SD-ID → PARAM-NAME → value, unescaped by rsyslog. */
  sd: Record<string, Record<string, string>>;
  msg: string;
  /** The SYSLOG-MSG as received, without its octet count. */
  raw: string;
}

/**
 * A private rsyslogd (Debian's rsyslog with the GnuTLS driver), not the system's: its own configuration,
 * work directory, pid file and loopback port, an imtcp input over TLS that writes each received message
 * as one JSON line of a file: rsyslog's own parse of it and its raw text (control characters escaped as
 * #ooo, as rsyslog does on receipt). It can be stopped and started again on the same port (an outage).
 */
export class Rsyslog {
  private child?: ChildProcess;
  private output: string[] = [];

  private constructor(
    private readonly dir: string,
    readonly port: number,
    private readonly options: RsyslogOptions,
  ) {}

  static async start(options: RsyslogOptions): Promise<Rsyslog> {
    const rsyslog = new Rsyslog(await mkdtemp(join(tmpdir(), 'stepguard-rsyslog-')), await freePort(), options);
    await mkdir(join(rsyslog.dir, 'work'));
    await writeFile(join(rsyslog.dir, 'rsyslog.conf'), rsyslog.config());
    try {
      await rsyslog.start();
    } catch (error) {
      await rsyslog.dispose();
      throw error;
    }
    return rsyslog;
  }

  get receivedFile(): string {
    return join(this.dir, 'received.jsonl');
  }

  /** Starts rsyslogd and resolves once it accepts connections on its port; fails loudly if it cannot. */
  async start(): Promise<void> {
    this.output = [];
    const child = spawn(
      'rsyslogd',
      ['-n', '-f', join(this.dir, 'rsyslog.conf'), '-i', join(this.dir, 'rsyslogd.pid')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    let spawnError: NodeJS.ErrnoException | undefined;
    child.once('error', (error) => (spawnError = error));
    for (const stream of [child.stdout!, child.stderr!])
      stream.setEncoding('utf8').on('data', (c) => this.output.push(c));
    const failed = (why: string) =>
      new Error(`${why}; its output:\n${this.output.join('')}\n(is rsyslog-gnutls installed? ${INSTALL})`);
    await waitUntil(async () => spawnError !== undefined || child.exitCode !== null || (await this.accepts()), {
      what: `rsyslogd listening on 127.0.0.1:${this.port}`,
      timeoutMs: 20_000,
    }).catch((error: Error) => {
      throw failed(error.message);
    });
    if (spawnError?.code === 'ENOENT') throw new Error(`rsyslogd is not installed: ${INSTALL}`);
    if (spawnError) throw failed(`rsyslogd did not start: ${spawnError.message}`);
    if (child.exitCode !== null) throw failed(`rsyslogd exited (${child.exitCode})`);
  }

  /** Stops it (SIGTERM lets it write what it received; SIGKILL plays a crash) and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  async dispose(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  /** The messages received so far, in the order rsyslog wrote them. */
  async received(): Promise<ReceivedMessage[]> {
    const text = await readFile(this.receivedFile, 'utf8').catch(() => '');
    // The piece after the last newline is empty or a line rsyslog is still writing.
    return text
      .split('\n')
      .slice(0, -1)
      .map((line) => {
        const { pri, sd, ...fields } = JSON.parse(line) as Record<string, string>;
        return { ...fields, pri: Number(pri), sd: sd ? JSON.parse(sd) : {} } as ReceivedMessage;
      });
  }

  /** Waits until at least `count` messages were written, and returns them all. */
  waitForMessages(count: number): Promise<ReceivedMessage[]> {
    return waitUntil(() => this.received(), {
      what: `${count} messages in ${this.receivedFile}`,
      timeoutMs: 15_000,
      until: (messages) => messages.length >= count,
    });
  }

  private accepts(): Promise<boolean> {
    return new Promise((resolve) => {
      const probe = connect(this.port, '127.0.0.1');
      probe.once('connect', () => resolve(true)).once('error', () => resolve(false));
      probe.once('connect', () => probe.destroy());
    });
  }

  private config(): string {
    const { ca, server, requireClientCert } = this.options;
    return `
global(
  workDirectory="${join(this.dir, 'work')}"
  maxMessageSize="64k"
  defaultNetstreamDriver="gtls"
  defaultNetstreamDriverCAFile="${ca.root.certFile}"
  defaultNetstreamDriverCertFile="${server.certFile}"
  defaultNetstreamDriverKeyFile="${server.keyFile}"
)
module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1"
       streamDriver.authMode="${requireClientCert ? 'x509/certvalid' : 'anon'}")
module(load="mmpstrucdata")
template(name="parsed" type="list" option.jsonf="on") {
  property(outname="pri" name="pri" format="jsonf")
  property(outname="timestamp" name="timereported" dateFormat="rfc3339" format="jsonf")
  property(outname="hostname" name="hostname" format="jsonf")
  property(outname="appName" name="app-name" format="jsonf")
  property(outname="procId" name="procid" format="jsonf")
  property(outname="msgId" name="msgid" format="jsonf")
  property(outname="sd" name="$!rfc5424-sd" format="jsonf")
  property(outname="msg" name="msg" format="jsonf")
  property(outname="raw" name="rawmsg" format="jsonf")
}
ruleset(name="received") {
  action(type="mmpstrucdata" sd_name.lowercase="off")
  action(type="omfile" file="${this.receivedFile}" template="parsed")
}
input(type="imtcp" address="127.0.0.1" port="${this.port}" ruleset="received")
`;
  }
}
