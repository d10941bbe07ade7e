import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `assets/` beside this file; `nest build` copies it to the same place under `dist/`. */
const ASSET_DIR = fileURLToPath(new URL('./assets/', import.meta.url));

const packageDir = (name: string, entry: string) =>
  join(dirname(createRequire(import.meta.url).resolve(name)), '..', entry);

/**
 * Files from packages, served like ours: the socket.io client and @simplewebauthn/browser (the passkey
 * ceremonies) that the pages' script uses.
 */
export const PACKAGED: Record<string, string> = {
  'socket.io.min.js': join(
    dirname(createRequire(import.meta.url).resolve('socket.io-client/package.json')),
    'dist/socket.io.min.js',
  ),
  'simplewebauthn.min.js': packageDir('@simplewebauthn/browser', 'dist/bundle/index.umd.min.js'),
};

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface Asset {
  body: Buffer;
  type: string;
}

/**
 * The pages' CSS and scripts under names that carry a hash of their content (`stepguard.3f9a1c20b4.css`):
 * a browser may keep each for a year, since a changed file gets a new name. Read once at start.
 */
@Injectable()
export class WebAssets {
  private readonly byName = new Map<string, Asset>();
  private readonly urls = new Map<string, string>();

  constructor() {
    for (const file of readdirSync(ASSET_DIR)) this.add(file, join(ASSET_DIR, file));
    for (const [file, path] of Object.entries(PACKAGED)) this.add(file, path);
  }

  private add(file: string, path: string): void {
    const type = TYPES[extname(file)];
    if (!type) return;
    // A source map we do not serve would only be a 404 in the browser's developer tools.
    const body = Buffer.from(readFileSync(path, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'));
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
    const hashed = file.replace(/(\.[a-z]+)$/, `.${hash}$1`);
    this.byName.set(hashed, { body, type });
    this.urls.set(file, `/assets/${hashed}`);
  }

  /** The URL of a source file's hashed copy (`stepguard.css` → `/assets/stepguard.<hash>.css`). */
  url(file: string): string {
    const url = this.urls.get(file);
    if (!url) throw new Error(`No asset named ${file}`);
    return url;
  }

  get(hashedName: string): Asset | undefined {
    return this.byName.get(hashedName);
  }
}
