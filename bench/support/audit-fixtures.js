// What the parts of bench/audit-stream.bench.js arrange and check through the app: tenants, their chains' heads
// and verification, the two sinks, and the ranges of events the receivers must have got.
import { randomUUID } from 'node:crypto';
import { CommandBus } from '@nestjs/cqrs';
import { AuditVerifier } from '../../dist/src/audit/audit-verifier.js';
import { CreateAuditSinkCommand } from '../../dist/src/audit/stream/commands/audit-sink.commands.js';
import { createAuditSinkSchema } from '../../dist/src/audit/stream/dto/audit-sink.schemas.js';
import { NO_REQUEST } from '../../dist/src/common/actor.js';
import { CreateTenantCommand } from '../../dist/src/identity/commands/create-tenant.command.js';
import { rangeArrivals } from './stream-arrivals.js';

export const OPERATOR = { type: 'operator', id: null };
/** However slow the machine, a range that has not arrived after this long is not coming. */
export const ARRIVAL_TIMEOUT_MS = 15 * 60_000;

export async function aTenant(app, slug) {
  const { tenant } = await app
    .get(CommandBus)
    .execute(
      new CreateTenantCommand(
        { slug, name: slug, admin: { email: `admin@${slug}.example`, password: randomUUID() } },
        OPERATOR,
        NO_REQUEST,
      ),
    );
  return tenant.id;
}

export async function headOf(db, chainKey) {
  const { rows } = await db.query('select last_seq from audit_chains where chain_key = $1', [chainKey]);
  return Number(rows[0]?.last_seq ?? 0);
}

export async function verifyChain(app, chainKey, failures, what) {
  const verdict = await app.get(AuditVerifier).verify(chainKey);
  if (!verdict.ok) failures.push(`${what}: the chain does not verify: ${JSON.stringify(verdict)}`);
  return verdict;
}

/** A webhook sink and a syslog-TLS sink on the tenant, native JSON, `batchSize` events a batch. */
export async function makeSinks(app, rig, tenantId, batchSize) {
  const commands = app.get(CommandBus);
  const create = (input) =>
    commands.execute(new CreateAuditSinkCommand(tenantId, createAuditSinkSchema.parse(input), OPERATOR, NO_REQUEST));
  const webhook = await create({ kind: 'webhook', name: 'siem webhook', url: rig.webhookUrl, batchSize: batchSize });
  await rig.webhook.call('addSecret', { secret: webhook.secret });
  const syslog = await create({
    kind: 'syslog',
    name: 'siem syslog',
    host: '127.0.0.1',
    port: rig.rsyslog.port,
    ca: rig.ca.root.cert,
    batchSize: batchSize,
  });
  return { webhook: webhook.sink.id, syslog: syslog.sink.id, secret: webhook.secret };
}

/** Waits until both receivers have the chain through its head (the tenant's and its sinks' creation). */
export async function bothThroughHead(db, rig, tenantId, what) {
  const head = await headOf(db, tenantId);
  const ranges = rig.collector.watch(
    rangeArrivals({ receiver: 'webhook', tenant: tenantId, from: 1, to: head }),
    rangeArrivals({ receiver: 'syslog', tenant: tenantId, from: 1, to: head }),
  );
  await rig.collector.complete(ranges, what, ARRIVAL_TIMEOUT_MS);
  rig.collector.forget(...ranges);
  return head;
}

export function checkRange(range, failures, what) {
  const { duplicates, outOfOrder } = range.summary();
  if (!range.complete()) failures.push(`${what}: ${range.missing()} events missing`);
  if (outOfOrder) failures.push(`${what}: ${outOfOrder} events arrived out of seq order`);
  return duplicates;
}
