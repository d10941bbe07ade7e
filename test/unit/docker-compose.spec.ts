import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { envSchema, loadEnv } from '../../config/index.js';

// No docker engine here: the compose file is checked by reading it, against the schema it feeds.
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

interface Service {
  image?: string;
  volumes?: string[];
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, unknown>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const APP_SERVICES = ['migrate', 'api', 'worker'] as const;

/** What `docker compose` would do with a .env that holds these values. */
function interpolate(value: string, dotenv: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_all, name: string, op?: string, arg?: string) => {
    const set = dotenv[name];
    if (set) return set;
    if (op === '?') throw new Error(`${name}: ${arg}`);
    return op === '-' ? (arg ?? '') : '';
  });
}

const DOTENV = {
  POSTGRES_PASSWORD: 'pw',
  STEPGUARD_DB_OWNER_PASSWORD: 'owner-pw',
  STEPGUARD_DB_APP_PASSWORD: 'app-pw',
  STEPGUARD_OPERATOR_TOKEN: 'o'.repeat(40),
  STEPGUARD_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
  STEPGUARD_AUDIT_SIGNING_KEY: `a1:${randomBytes(32).toString('base64')}`,
};

function envOf(service: string, dotenv: Record<string, string> = DOTENV): Record<string, string> {
  const env = services[service]!.environment ?? {};
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolate(String(v), dotenv)]));
}

describe('docker-compose.yml', () => {
  it('runs postgres, redis, a one-shot migration, the api and a worker', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'migrate', 'postgres', 'redis', 'worker']);
    // The image holds dist/ and production dependencies only: node starts the built entry points.
    expect(services.migrate!.command).toEqual(['node', 'dist/src/cli/main.js', 'migrate']);
    expect(services.api!.command).toEqual(['node', 'dist/src/main.js']);
    expect(services.worker!.command).toEqual(['node', 'dist/workers/main.js']);
  });

  it.each(APP_SERVICES)('starts %s on an entry point the build emits, as the npm scripts do', (name) => {
    const entry = services[name]!.command![1]!;
    expect(existsSync(new URL(`../../${entry.replace(/^dist\//, '').replace(/\.js$/, '.ts')}`, import.meta.url))).toBe(
      true,
    );
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(Object.values(scripts).some((script) => script.includes(`node tools/start.ts ${entry}`))).toBe(true);
  });

  it.each(APP_SERVICES)('gives %s only variables the config schema knows, as strings', (name) => {
    const env = services[name]!.environment!;
    for (const [key, value] of Object.entries(env)) {
      expect([key, Object.hasOwn(envSchema.shape, key)]).toEqual([key, true]);
      expect([key, typeof value]).toEqual([key, 'string']);
    }
  });

  it.each(APP_SERVICES)('gives %s a production environment that passes validation', (name) => {
    const env = loadEnv(envOf(name));
    expect(env.NODE_ENV).toBe('production');
    expect(env.DATABASE_URL).toMatch(/@postgres:5432\//);
    expect(env.REDIS_URL).toBe('redis://redis:6379');
  });

  it.each([
    ['postgres', 'POSTGRES_PASSWORD'],
    ['postgres', 'STEPGUARD_DB_OWNER_PASSWORD'],
    ['postgres', 'STEPGUARD_DB_APP_PASSWORD'],
    ['migrate', 'STEPGUARD_DB_OWNER_PASSWORD'],
    ['api', 'STEPGUARD_DB_APP_PASSWORD'],
    ['api', 'STEPGUARD_OPERATOR_TOKEN'],
    ['api', 'STEPGUARD_ENCRYPTION_KEYS'],
    ['worker', 'STEPGUARD_AUDIT_SIGNING_KEY'],
  ])('refuses to start %s without %s instead of using a default secret', (service, secret) => {
    const { [secret as keyof typeof DOTENV]: _missing, ...rest } = DOTENV;
    expect(() => envOf(service, rest)).toThrow(secret);
  });

  it('runs migrations as the owner role and the api and worker as the application role, never the superuser', () => {
    const userOf = (service: string) => new URL(envOf(service).DATABASE_URL!).username;
    expect(userOf('migrate')).toBe('stepguard_owner');
    expect(userOf('api')).toBe('stepguard_app');
    expect(userOf('worker')).toBe('stepguard_app');
    expect(envOf('postgres').POSTGRES_USER).toBe('postgres');
    // The init script creates both roles from the passwords it is given, on the first start of the volume.
    expect(services.postgres!.volumes).toEqual(
      expect.arrayContaining([
        './docker/postgres/init-roles.sh:/docker-entrypoint-initdb.d/10-stepguard-roles.sh:ro',
        './docker/postgres/roles.sql:/stepguard/roles.sql:ro',
      ]),
    );
    const script = read('docker/postgres/init-roles.sh');
    expect(script).toContain('-v owner_role=stepguard_owner -v owner_password="$STEPGUARD_DB_OWNER_PASSWORD"');
    expect(script).toContain('-v app_role=stepguard_app -v app_password="$STEPGUARD_DB_APP_PASSWORD"');
    expect(script).toContain('-f /stepguard/roles.sql');
  });

  it('keeps the workers out of the api process and migrations out of both', () => {
    expect(envOf('api').STEPGUARD_WORKERS_IN_PROCESS).toBe('false');
    expect(loadEnv(envOf('api')).STEPGUARD_WORKERS_IN_PROCESS).toBe(false);
    for (const name of ['api', 'worker']) expect(loadEnv(envOf(name)).STEPGUARD_MIGRATE_ON_START).toBe(false);
  });

  it('starts each service only once what it needs is ready', () => {
    expect(services.migrate!.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    for (const name of ['api', 'worker']) {
      expect(services[name]!.depends_on).toEqual({
        migrate: { condition: 'service_completed_successfully' },
        redis: { condition: 'service_healthy' },
      });
    }
  });

  it('health-checks postgres, redis, and the api on /readyz', () => {
    expect(services.postgres!.healthcheck!.test.join(' ')).toContain('pg_isready -U postgres -d stepguard');
    expect(services.redis!.healthcheck!.test.join(' ')).toContain('redis-cli ping');
    expect(services.api!.healthcheck!.test.join(' ')).toContain('http://127.0.0.1:3000/readyz');
    expect(services.api!.ports).toEqual(['3000:3000']);
    expect(loadEnv(envOf('api')).PORT).toBe(3000);
  });

  it('pins every image to a major version', () => {
    for (const [name, service] of Object.entries(services)) {
      expect([name, service.image]).toEqual([name, expect.stringMatching(/^[\w./-]+:\d+(\.\d+)*(-[\w.-]+)?$/)]);
    }
    expect(services.postgres!.image).toBe('postgres:17');
    expect(services.redis!.image).toBe('redis:7');
  });

  it('builds the app services from the Dockerfile on a pinned Node 24, running as a non-root user', () => {
    for (const name of APP_SERVICES) expect(services[name]!.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    const dockerfile = read('Dockerfile');
    const [build, runtime] = dockerfile.split(/^(?=FROM )/m).slice(1);
    expect(build).toMatch(/^FROM node:24-bookworm-slim AS build$/m);
    expect(build).toMatch(/^RUN npm ci$/m);
    expect(build).toMatch(/^RUN npm run build$/m);
    expect(runtime).toMatch(/^FROM node:24-bookworm-slim$/m);
    // Production dependencies only; from the build stage, nothing but the built app.
    expect(runtime).toMatch(/^RUN npm ci --omit=dev\b/m);
    expect(runtime!.match(/^COPY --from=.*$/gm)).toEqual([
      'COPY --from=build /app/dist/package.json ./dist/package.json',
      'COPY --from=build /app/dist/src ./dist/src',
      'COPY --from=build /app/dist/workers ./dist/workers',
      'COPY --from=build /app/dist/config ./dist/config',
    ]);
    // 1000 is the image's `node` user; a number lets Kubernetes verify runAsNonRoot.
    expect(runtime).toMatch(/^USER 1000:1000$/m);
    expect(runtime).toMatch(/^CMD \["node", "dist\/src\/main\.js"\]$/m);
  });

  it('keeps tests, benches, docs and local artefacts out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const path of ['.git', 'node_modules', 'dist', 'coverage', '.stepguard', 'test', 'bench', 'docs', '.env']) {
      expect([path, ignored.includes(path)]).toEqual([path, true]);
    }
  });
});
