import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkersModule } from '../../workers/workers.module.js';
import { aTenant, type TenantFixture } from '../support/builders.js';
import { cli } from '../support/cli.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/stream-webhook-receiver.js';
import { loopbackServerCertificate } from '../support/test-certificates.js';
import { testConfig } from '../support/test-env.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { waitUntil } from '../support/wait.js';

/** The one line of `out` that starts with `label`, without the label. */
function printed(out: string, label: string): string {
  const line = out.split('\n').find((l) => l.startsWith(label));
  if (!line) throw new Error(`no "${label}" line in:\n${out}`);
  return line.slice(label.length).trim();
}

const idIn = (out: string) => /\(id ([0-9a-f-]{36})\)/.exec(out)![1]!;

/**
 * `stepguard audit-streams …`: the operator's platform sinks from the command line, through the same commands
 * as `/v1/operator/audit-streams`, audited as `operator/cli`; a running app's workers deliver to what it adds.
 */
describe('operator CLI: audit-streams', () => {
  let t: TestApp;
  let acme: TenantFixture;
  let receiver: WebhookReceiver;
  const files = mkdtempSync(join(tmpdir(), 'stepguard-cli-sinks-'));

  beforeAll(async () => {
    t = await startTestApp({
      workers: [WorkersModule],
      env: { AUDIT_STREAM_EGRESS_ALLOW: '127.0.0.1', AUDIT_STREAM_TICK_SECONDS: '1' },
    });
    acme = await aTenant(t.http);
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver.stop();
    await t.close();
    rmSync(files, { recursive: true, force: true });
  });

  const operatorList = async () =>
    (await t.http.get('/v1/operator/audit-streams', t.operatorToken)).body.sinks as Record<string, any>[];

  /** The platform chain's entries about one sink: action and actor. */
  const auditOf = (sinkId: string) =>
    t.sql(
      `select action, actor_type, actor_id from audit_events
        where chain_key = 'platform' and target_id = $1 order by seq`,
      [sinkId],
    );

  it("adds a platform webhook sink whose secret, printed once, signs every tenant's events its receiver gets", async () => {
    const run = await cli(
      t.config,
      'audit-streams',
      'add',
      '--kind',
      'webhook',
      '--url',
      receiver.url,
      '--batch-size',
      '5',
    );
    expect(run).toMatchObject({ code: 0, err: '' });
    const id = idIn(run.out);
    const secret = printed(run.out, 'secret (shown once):');
    expect(secret).toMatch(/^whsec_/);
    expect(run.out).toContain(`webhook/native to ${receiver.url}, batches of 5, every retained event first`);
    receiver.secrets.push(secret);

    await waitUntil(() => receiver.events(), {
      what: "acme's events and the platform chain's record of the new sink",
      until: (events) =>
        events.some((e) => e['tenantId'] === acme.id) &&
        events.some((e) => e['action'] === 'AuditSinkCreated' && (e['target'] as any)?.id === id),
      wakeOn: receiver.onRequest,
      timeoutMs: 20_000,
    });
    expect(receiver.problems).toEqual([]);
    expect(await operatorList()).toEqual([
      expect.objectContaining({ id, scope: 'platform', name: '127.0.0.1:' + receiver.port }),
    ]);
    const [stored] = await t.sql('select secrets::text as secrets from audit_sinks where id = $1', [id]);
    expect(stored.secrets).not.toContain(secret.slice('whsec_'.length));
    expect(await auditOf(id)).toEqual([{ action: 'AuditSinkCreated', actor_type: 'operator', actor_id: 'cli' }]);
  });

  it('lists the platform sinks the operator route lists, one line each', async () => {
    const run = await cli(t.config, 'audit-streams', 'list');
    expect(run.code).toBe(0);
    const sinks = await operatorList();
    expect(run.out.split('\n')).toHaveLength(sinks.length);
    for (const sink of sinks) {
      const line = run.out.split('\n').find((l) => l.startsWith(sink.id))!;
      expect(line).toContain(`${sink.state} `);
      expect(line).toContain(`"${sink.name}"  ${sink.kind}/${sink.format} to ${sink.settings.url}`);
    }
  });

  it('pauses and resumes a sink, each change audited as the operator "cli"', async () => {
    const [sink] = await operatorList();
    const paused = await cli(t.config, 'audit-streams', 'pause', sink!.id);
    expect(paused).toMatchObject({ code: 0, out: expect.stringMatching(new RegExp(`^${sink!.id}  paused `)) });
    expect((await operatorList())[0]).toMatchObject({
      id: sink!.id,
      state: 'paused',
      stateReason: 'paused by an admin',
    });

    const resumed = await cli(t.config, 'audit-streams', 'resume', sink!.id);
    expect(resumed).toMatchObject({ code: 0, out: expect.stringMatching(new RegExp(`^${sink!.id}  active `)) });
    expect((await operatorList())[0]).toMatchObject({ state: 'active' });
    expect((await auditOf(sink!.id)).slice(-2)).toEqual([
      { action: 'AuditSinkPaused', actor_type: 'operator', actor_id: 'cli' },
      { action: 'AuditSinkResumed', actor_type: 'operator', actor_id: 'cli' },
    ]);
  });

  it('adds a syslog sink with its CA and client key from files, the key sealed and never printed', async () => {
    const pki = loopbackServerCertificate();
    const ca = join(files, 'ca.pem');
    const cert = join(files, 'client.pem');
    const key = join(files, 'client.key');
    writeFileSync(ca, pki.ca);
    writeFileSync(cert, pki.cert);
    writeFileSync(key, pki.key);
    const run = await cli(
      t.config,
      ...['audit-streams', 'add', '--kind', 'syslog', '--name', 'on-prem', '--host', '127.0.0.1', '--port', '6514'],
      ...['--format', 'cef', '--ca', ca, '--client-cert', cert, '--client-key', key, '--start-at', 'now'],
    );
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toContain('syslog/cef to syslog-tls://127.0.0.1:6514');
    expect(run.out).not.toContain('secret');
    const id = idIn(run.out);
    const [row] = await t.sql('select settings, secrets::text as secrets from audit_sinks where id = $1', [id]);
    expect(row.settings).toMatchObject({ host: '127.0.0.1', port: 6514, ca: pki.ca, clientCert: pki.cert });
    expect(row.settings).not.toHaveProperty('clientKey');
    expect(row.secrets).not.toContain('PRIVATE KEY');

    expect(await cli(t.config, 'audit-streams', 'remove', id)).toMatchObject({
      code: 0,
      out: `platform audit sink ${id} removed`,
    });
    expect((await operatorList()).map((s) => s.id)).not.toContain(id);
    expect((await auditOf(id)).map((e) => e.action)).toEqual(['AuditSinkCreated', 'AuditSinkDeleted']);
  });

  it("answers not_found for a tenant's sink and for an id that does not exist", async () => {
    const tenantSink = await t.http.post(
      '/v1/admin/audit-streams',
      { name: 'acme siem', kind: 'webhook', url: receiver.url, startAt: 'now' },
      acme.admin.token,
    );
    expect(tenantSink.status).toBe(201);
    for (const id of [tenantSink.body.id, '00000000-0000-4000-8000-000000000000']) {
      for (const verb of ['pause', 'resume', 'remove']) {
        expect(await cli(t.config, 'audit-streams', verb, id)).toMatchObject({
          code: 1,
          err: 'error: not_found: Audit sink not found',
        });
      }
    }
    const [row] = await t.sql('select state from audit_sinks where id = $1', [tenantSink.body.id]);
    expect(row.state).toBe('active');
  });

  it('refuses a loopback receiver unless the egress allow-list lets it through', async () => {
    const strict = testConfig(t.databaseUrl);
    const run = await cli(strict, 'audit-streams', 'add', '--kind', 'webhook', '--url', 'http://127.0.0.1:9/hook');
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^error: \w+: .*127\.0\.0\.1/);
    const metadata = await cli(strict, 'audit-streams', 'add', '--kind', 'webhook', '--url', 'http://169.254.169.254/');
    expect(metadata.code).toBe(1);
    expect((await operatorList()).map((s) => s.settings.url)).not.toContain('http://127.0.0.1:9/hook');
  });

  it('answers usage errors with exit code 2 before touching anything', async () => {
    const add = ['audit-streams', 'add'];
    const usage: [string[], string][] = [
      [['audit-streams', 'remove'], 'audit-streams remove: expected <id>'],
      [['audit-streams', 'pause', 'x', 'y'], "audit-streams pause: Unexpected argument 'y'"],
      [['audit-streams', 'resume', 'not-a-uuid'], '<id>: "not-a-uuid" is not a sink id'],
      [['audit-streams', 'list', 'extra'], "audit-streams list: Unexpected argument 'extra'"],
      [[...add, '--url', receiver.url], '--kind is required'],
      [[...add, '--kind', 'carrier-pigeon'], '--kind: '],
      [[...add, '--kind', 'webhook'], '--url: '],
      [[...add, '--kind', 'webhook', '--url', receiver.url, '--host', 'x'], '--host does not apply to a webhook sink'],
      [[...add, '--kind', 'webhook', '--url', receiver.url, '--format', 'cef'], '--format: a webhook sink carries'],
      [[...add, '--kind', 'webhook', '--url', receiver.url, '--batch-size', 'many'], '--batch-size: '],
      [[...add, '--kind', 'syslog', '--host', 'h', '--ca', join(files, 'none.pem')], '--ca: cannot read'],
      [[...add, '--kind', 'splunk_hec', '--url', 'https://hec.example'], '--token-file: '],
    ];
    const before = (await operatorList()).length;
    for (const [argv, message] of usage) {
      const run = await cli(t.config, ...argv);
      expect({ argv, code: run.code, out: run.out, error: run.err.split('\n')[0] }).toEqual({
        argv,
        code: 2,
        out: '',
        error: expect.stringContaining(`error: ${message}`),
      });
    }
    expect(await operatorList()).toHaveLength(before);
  });
});
