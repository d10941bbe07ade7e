// A private rsyslogd (Debian's rsyslog with the GnuTLS driver) as the syslog-TLS receiver of
// bench/audit-stream.bench.js, started the way test/support/rsyslog.ts starts the tests' one: its own
// configuration, work directory, pid file and loopback port, an imtcp input over TLS (RFC 5425 octet
// counting) with a throw-away CA's server certificate. Each received message becomes one line of a file: the
// time rsyslog took it off the connection (`timegenerated`, microseconds) and the message's structured data,
// which carries the tenant and seq of every audit event (`[stepguard@32473 tenant=".." seq=".." …]`). It can
// be stopped and started again on the same port (an outage); the file keeps growing across restarts.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const INSTALL = 'apt-get install -y rsyslog rsyslog-gnutls';

/** A loopback port nobody listens on right now, for rsyslogd to take. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** `ca` from createThrowawayCa. */
export async function startRsyslog(ca) {
  const dir = await mkdtemp(join(tmpdir(), 'stepguard-bench-rsyslog-'));
  const port = await freePort();
  const receivedFile = join(dir, 'received.log');
  await mkdir(join(dir, 'work'));
  await writeFile(join(dir, 'rsyslog.conf'), configOf({ dir, port, ca, receivedFile }));
  let child;
  const output = [];

  async function start() {
    output.length = 0;
    child = spawn('rsyslogd', ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslogd.pid')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let spawnError;
    child.once('error', (error) => (spawnError = error));
    for (const stream of [child.stdout, child.stderr]) stream.setEncoding('utf8').on('data', (c) => output.push(c));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (spawnError?.code === 'ENOENT') throw new Error(`rsyslogd is not installed: ${INSTALL}`);
      if (spawnError || child.exitCode !== null) {
        throw new Error(
          `rsyslogd did not start (${spawnError?.message ?? `exit ${child.exitCode}`}): ${output.join('')}`,
        );
      }
      if (await accepts(port)) return;
      if (Date.now() > deadline) throw new Error(`rsyslogd is not listening on ${port} after 20 s: ${output.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGTERM: rsyslog writes what it received, then exits; resolves at the exit. */
  async function stop() {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  await start();
  return {
    port,
    start,
    stop,
    reader: () => arrivalsReader(receivedFile),
    async dispose() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Reads the file from where it stood when the reader was made: `next()` returns the lines completed since
 * the last call as `{ at, tenant, seq, checkpoint }` (`at` in ms since the epoch, with microseconds as the fraction).
 */
async function arrivalsReader(file) {
  const handle = await open(file, 'a+');
  let position = (await handle.stat()).size;
  let rest = '';
  return {
    async next() {
      const { size } = await handle.stat();
      if (size <= position) return [];
      const buffer = Buffer.alloc(size - position);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      position += bytesRead;
      const lines = (rest + buffer.toString('utf8', 0, bytesRead)).split('\n');
      rest = lines.pop();
      return lines.map(parseLine);
    },
    close: () => handle.close(),
  };
}

const SEQ = / seq="(\d+)"/;
const TENANT = / tenant="([^"]+)"/;
const CHECKPOINT = / checkpoint="\d+"/;

function parseLine(line) {
  const space = line.indexOf(' ');
  const at = Date.parse(line.slice(0, space)) + microseconds(line.slice(0, space));
  // A checkpoint's message names the seq it covers too: it is told apart by its `checkpoint` parameter.
  return {
    at,
    tenant: TENANT.exec(line)?.[1] ?? null,
    seq: Number(SEQ.exec(line)?.[1] ?? NaN),
    checkpoint: CHECKPOINT.test(line),
  };
}

/** Date.parse keeps milliseconds: the 4th to 6th digits of the fraction, as a fraction of a millisecond. */
function microseconds(rfc3339) {
  const fraction = /\.(\d+)/.exec(rfc3339)?.[1] ?? '';
  return fraction.length > 3 ? Number(fraction.slice(3, 6).padEnd(3, '0')) / 1000 : 0;
}

function accepts(port) {
  return new Promise((resolve) => {
    const probe = connect(port, '127.0.0.1');
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

function configOf({ dir, port, ca, receivedFile }) {
  return `
global(
  workDirectory="${join(dir, 'work')}"
  maxMessageSize="64k"
  defaultNetstreamDriver="gtls"
  defaultNetstreamDriverCAFile="${ca.root.certFile}"
  defaultNetstreamDriverCertFile="${ca.server.certFile}"
  defaultNetstreamDriverKeyFile="${ca.server.keyFile}"
)
module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
template(name="arrival" type="string" string="%timegenerated:::date-rfc3339% %structured-data%\\n")
ruleset(name="received") {
  action(type="omfile" file="${receivedFile}" template="arrival")
}
input(type="imtcp" address="127.0.0.1" port="${port}" ruleset="received")
`;
}
