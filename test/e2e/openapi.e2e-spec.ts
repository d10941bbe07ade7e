import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** The OpenAPI document must match the code: every route the app serves is described, with its body. */
describe('/openapi.json', () => {
  let t: TestApp;
  let doc: { paths: Record<string, Record<string, { requestBody?: unknown; parameters?: { name: string }[] }>> };
  beforeAll(async () => {
    t = await startTestApp();
    doc = (await t.http.get('/openapi.json')).body;
  });
  afterAll(() => t.close());

  const servedRoutes = () => {
    const router = t.app.getHttpAdapter().getInstance().router as { stack: Layer[] };
    return router.stack
      .filter((l) => l.route)
      .flatMap((l) =>
        Object.keys(l.route!.methods).map((method) => ({ method, path: l.route!.path.replace(/:(\w+)/g, '{$1}') })),
      )
      .filter((r) => !r.path.startsWith('/docs') && r.path !== '/openapi.json' && !isPage(r.path));
  };
  // The pages and their assets are HTML for people, not API: they stay out of the OpenAPI document.
  const isPage = (path: string) =>
    ['/account', '/admin', '/assets'].some((p) => path === p || path.startsWith(`${p}/`) || path.startsWith(`${p}.`));

  it('describes every route the app serves', () => {
    const routes = servedRoutes();
    expect(routes.length).toBeGreaterThan(15);
    const missing = routes.filter((r) => !doc.paths[r.path]?.[r.method]);
    expect(missing).toEqual([]);
  });

  it('describes no route the app does not serve', () => {
    const served = new Set(servedRoutes().map((r) => `${r.method} ${r.path}`));
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    expect(documented.filter((d) => !served.has(d))).toEqual([]);
  });

  it('gives every route that takes a JSON body its schema', () => {
    const withBody = [
      ['post', '/v1/tenants'],
      ['post', '/v1/auth/login'],
      ['post', '/v1/me/password'],
      ['post', '/v1/admin/users'],
      ['patch', '/v1/admin/users/{id}'],
      ['post', '/v1/admin/api-keys'],
      ['post', '/v1/auth/challenges/{challengeId}/verify'],
      ['post', '/v1/me/factors/totp'],
      ['post', '/v1/me/factors/{factorId}/verify'],
      ['patch', '/v1/me/factors/{factorId}'],
      ['post', '/v1/me/factors/webauthn'],
      ['post', '/v1/auth/step-up'],
      ['post', '/v1/auth/passkey/options'],
      ['post', '/v1/auth/passkey'],
    ] as const;
    for (const [method, path] of withBody) {
      const body = doc.paths[path]?.[method]?.requestBody as { content: Record<string, { schema: BodySchema }> };
      expect({
        path,
        properties: hasFields(body?.content['application/json']?.schema),
      }).toEqual({
        path,
        properties: true,
      });
    }
  });
});

interface BodySchema {
  properties?: object;
  oneOf?: BodySchema[];
  anyOf?: BodySchema[];
}

/** Named fields, or a choice of bodies (a code or a passkey's credential) each with named fields. */
function hasFields(schema: BodySchema | undefined): boolean {
  if (!schema) return false;
  const choices = schema.oneOf ?? schema.anyOf;
  if (choices?.length) return choices.every(hasFields);
  return Object.keys(schema.properties ?? {}).length > 0;
}
