import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A certificate and its key, as PEM text and as files (rsyslog reads files). */
export interface Issued {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

/**
 * A throw-away certificate authority made with the openssl CLI (Node can verify X.509 but not issue it):
 * P-256 keys, one day of validity, in a directory of its own under the system's temp dir.
 */
export class TestCa {
  private serial = 1;
  private constructor(
    readonly dir: string,
    readonly name: string,
    readonly root: Issued,
  ) {}

  static async create(name: string): Promise<TestCa> {
    const dir = await mkdtemp(join(tmpdir(), `stepguard-pki-${name}-`));
    const root = await issue(dir, 'ca', `/CN=${name}`, [
      '-x509',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    return new TestCa(dir, name, root);
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  /** A server certificate for 127.0.0.1 and localhost. */
  server(name = 'server'): Promise<Issued> {
    return this.sign(name, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth');
  }

  client(name = 'client'): Promise<Issued> {
    return this.sign(name, 'extendedKeyUsage=clientAuth');
  }

  private async sign(name: string, extensions: string): Promise<Issued> {
    const requested = await issue(this.dir, name, `/CN=${name}`, []);
    const extFile = join(this.dir, `${name}.ext`);
    await writeFile(extFile, `basicConstraints=CA:FALSE\n${extensions}\n`);
    await openssl([
      'x509',
      '-req',
      '-in',
      requested.certFile,
      '-CA',
      this.root.certFile,
      '-CAkey',
      this.root.keyFile,
      '-set_serial',
      String(++this.serial),
      '-days',
      '1',
      '-extfile',
      extFile,
      '-out',
      requested.certFile,
    ]);
    return { ...requested, cert: await readFile(requested.certFile, 'utf8') };
  }
}

/** A new P-256 key and either a self-signed certificate (`-x509`) or a request in `<name>.pem`. */
async function issue(dir: string, name: string, subject: string, extra: string[]): Promise<Issued> {
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

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (error) {
    const { stderr, code } = error as { stderr?: string; code?: string };
    const why = code === 'ENOENT' ? 'the openssl binary is missing (apt-get install -y openssl)' : stderr;
    throw new Error(`openssl ${args[0]} failed: ${why}`);
  }
}
