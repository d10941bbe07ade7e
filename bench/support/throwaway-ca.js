// A throw-away certificate authority for bench/audit-stream.bench.js, made with the openssl CLI as the tests'
// test/support/test-pki.ts makes theirs (Node can verify X.509 but not issue it): P-256 keys, one day of
// validity, a server certificate for 127.0.0.1 and localhost, all in a directory of its own under the system's
// temp dir, removed by `dispose()`.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** `{ dir, root: { cert, key, certFile, keyFile }, server: { … } }`: the CA and a loopback server certificate. */
export async function createThrowawayCa(name) {
  const dir = await mkdtemp(join(tmpdir(), `stepguard-bench-pki-${name}-`));
  try {
    const root = await issue(dir, 'ca', `/CN=${name}`, [
      '-x509',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    const server = await issue(dir, 'server', '/CN=server', []);
    const extFile = join(dir, 'server.ext');
    await writeFile(
      extFile,
      'basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
    );
    await openssl([
      'x509',
      '-req',
      '-in',
      server.certFile,
      '-CA',
      root.certFile,
      '-CAkey',
      root.keyFile,
      '-set_serial',
      '2',
      '-days',
      '1',
      '-extfile',
      extFile,
      '-out',
      server.certFile,
    ]);
    server.cert = await readFile(server.certFile, 'utf8');
    return { dir, root, server, dispose: () => rm(dir, { recursive: true, force: true }) };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A new P-256 key and either a self-signed certificate (`-x509`) or a request in `<name>.pem`. */
async function issue(dir, name, subject, extra) {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  const config = join(dir, 'req.cnf');
  await writeFile(config, '[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = unused\n');
  await openssl([
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-config',
    config,
    '-subj',
    subject,
    '-keyout',
    keyFile,
    '-out',
    certFile,
    ...extra,
  ]);
  return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8'), certFile, keyFile };
}

async function openssl(args) {
  try {
    await run('openssl', args);
  } catch (error) {
    const why = error.code === 'ENOENT' ? 'the openssl binary is missing (apt-get install -y openssl)' : error.stderr;
    throw new Error(`openssl ${args[0]} failed: ${why}`);
  }
}
