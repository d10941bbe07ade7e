import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { aTenant, aUser, type TenantFixture } from '../support/builders.js';
import { parseCef } from '../support/cef-parser.js';
import { Rsyslog, type ReceivedMessage } from '../support/rsyslog.js';
import { TestCa } from '../support/test-pki.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { waitUntil } from '../support/wait.js';
import { WorkersModule } from '../../workers/workers.module.js';

/**
 * Syslog sinks end to end: the app and its workers stream two tenants' chains over TLS (RFC 5425) to a real
 * rsyslogd that trusts a test CA, one as CEF and one as OCSF JSON; the test reads what rsyslog wrote.
 */
describe('audit stream to a syslog sink (rsyslog over TLS)', () => {
  let t: TestApp;
  let ca: TestCa;
  let rsyslog: Rsyslog;
  let acme: TenantFixture;
  let globex: TenantFixture;

  beforeAll(async () => {
    ca = await TestCa.create('stepguard-stream-ca');
    rsyslog = await Rsyslog.start({ ca, server: await ca.server() });
    t = await startTestApp({
      extra: [WorkersModule],
      env: { AUDIT_STREAM_EGRESS_ALLOW: '127.0.0.1', AUDIT_STREAM_TICK_SECONDS: '1' },
    });
    acme = await aTenant(t.http);
    globex = await aTenant(t.http);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await rsyslog?.dispose();
    await ca?.dispose();
  });

  const aSyslogSink = async (tenant: TenantFixture, format: string) => {
    const res = await t.http.post(
      '/v1/admin/audit-streams',
      { name: `rsyslog ${format}`, kind: 'syslog', format, host: '127.0.0.1', port: rsyslog.port, ca: ca.root.cert },
      tenant.admin.token,
    );
    expect([res.status, res.body.secret]).toEqual([201, undefined]);
    return res.body as { id: string };
  };
  const headOf = async (tenant: TenantFixture) =>
    Number(
      (await t.sql<{ last_seq: string }>('select last_seq from audit_chains where chain_key = $1', [tenant.id]))[0]!
        .last_seq,
    );
  const eventsOf = async (tenant: TenantFixture, head: number): Promise<ReceivedMessage[]> => {
    const of = (all: ReceivedMessage[]) =>
      all.filter((m) => m.sd['stepguard@32473']?.['tenant'] === tenant.id && m.msgId !== 'checkpoint');
    return of(
      await waitUntil(() => rsyslog.received(), {
        what: `${head} events of ${tenant.slug} at rsyslog`,
        until: (all) => of(all).length >= head,
        timeoutMs: 30_000,
      }),
    );
  };

  it('writes the chain as CEF, in seq order, each line carrying the event id, seq and hashes', async () => {
    await aSyslogSink(acme, 'cef');
    await aUser(t.http, acme);
    const head = await headOf(acme);
    const messages = await eventsOf(acme, head);
    const events = await t.sql<{ id: string; seq: string; action: string; hash: string; prev_hash: string }>(
      'select id, seq, action, hash, prev_hash from audit_events where chain_key = $1 order by seq',
      [acme.id],
    );
    const cef = messages.slice(0, head).map((m) => parseCef(m.msg));
    expect(cef.map((c) => c.header.slice(0, 3))).toEqual(events.map(() => ['CEF:0', 'Stepguard', 'Stepguard']));
    expect(cef.map((c) => [c.header[4], c.extension['externalId'], Number(c.extension['cn1'])])).toEqual(
      events.map((e) => [e.action, e.id, Number(e.seq)]),
    );
    expect(cef.map((c) => [c.extension['cs2'], c.extension['cs3']])).toEqual(events.map((e) => [e.prev_hash, e.hash]));
    expect(cef.every((c) => c.extension['cs1'] === acme.id)).toBe(true);
    expect(messages.map((m) => Number(m.sd['stepguard@32473']!['seq']))).toEqual(events.map((e) => Number(e.seq)));
  }, 60_000);

  it("writes another tenant's chain as OCSF JSON to its own sink, and nothing of acme's", async () => {
    await aSyslogSink(globex, 'ocsf');
    await aUser(t.http, globex);
    const head = await headOf(globex);
    const messages = await eventsOf(globex, head);
    const ocsf = messages.slice(0, head).map((m) => JSON.parse(m.msg) as Record<string, any>);
    expect(ocsf.map((o) => o.metadata.sequence)).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    expect(ocsf.every((o) => o.metadata.tenant_uid === globex.id && o.metadata.product.name === 'Stepguard')).toBe(
      true,
    );
    const created = ocsf.find(
      (o) => o.unmapped?.stepguard?.action === 'SessionCreated' || o.metadata?.event_code === 'SessionCreated',
    );
    expect(created?.class_uid).toBe(3002);
    // Only acme's CEF sink carries acme: every OCSF message is globex's.
    const all = await rsyslog.received();
    expect(
      all.filter((m) => m.msg.startsWith('{')).every((m) => m.sd['stepguard@32473']?.['tenant'] === globex.id),
    ).toBe(true);
  }, 60_000);
});
