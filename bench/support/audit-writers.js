// The writers of bench/audit-stream.bench.js: audit appends through the app's own AuditLog inside the app's
// own UnitOfWork transactions, and the raw `pg` baselines beside them (an unchained copy of the audit table).
// Every entry is the one a password sign-in records when it opens a session (SessionsService.open): a
// `SessionCreated` event of a user, its session as target, an IP, a browser's user agent and the device
// details, about 700 bytes as a row.
import { randomBytes, randomUUID } from 'node:crypto';
import { auditHash, GENESIS_HASH } from '../../dist/src/audit/audit-hash.js';
import { SessionCreatedEvent } from '../../dist/src/sessions/events/session.events.js';

/** Wall-clock milliseconds with the monotonic clock's fraction; the receivers' arrival times use the same. */
export const wallMs = () => performance.timeOrigin + performance.now();

const USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const DETAILS = { amr: ['pwd'], deviceType: 'desktop', browser: 'Chrome 126', os: 'Windows 10' };

function ipOf(n) {
  return `203.0.${(n >> 8) & 255}.${n & 255}`;
}

/** One sign-in's audit entry for AuditLog.record: the event and the entry. */
export function signInEntry(tenantId, n) {
  const userId = randomUUID();
  const sessionId = randomUUID();
  return {
    event: new SessionCreatedEvent(tenantId, userId, sessionId),
    entry: {
      actor: { type: 'user', id: userId },
      target: { type: 'session', id: sessionId },
      request: { ip: ipOf(n), userAgent: USER_AGENT, location: null },
      details: DETAILS,
    },
  };
}

/**
 * `writers` loops, each running one unit of work after another that records one entry (begin, the
 * `audit_append` statement just before the commit, commit), until `stop()` says so. `onCommitted(event,
 * committedAt, ms)` is called once the transaction has committed, with the entry's seq set.
 */
export async function appendThroughAuditLog({ uow, audit, tenantId, writers, stop, onCommitted }) {
  let n = 0;
  const writer = async () => {
    while (!stop()) {
      const { event, entry } = signInEntry(tenantId, n++);
      const started = performance.now();
      const recorded = await uow.run((tx) => audit.record(tx, event, entry));
      onCommitted(recorded, wallMs(), performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: writers }, writer));
}

/**
 * `count` entries recorded by AuditLog.recordMany, `perTransaction` to a unit of work, one after another;
 * `before(done)` runs before each unit of work, `onCommitted(events, committedAt)` after its commit.
 */
export async function appendManyThroughAuditLog({ uow, audit, tenantId, count, perTransaction, before, onCommitted }) {
  for (let done = 0; done < count;) {
    const items = Array.from({ length: Math.min(perTransaction, count - done) }, (_, i) =>
      signInEntry(tenantId, done + i),
    );
    before?.(done);
    const recorded = await uow.run((tx) => audit.recordMany(tx, tenantId, items));
    onCommitted?.(recorded, wallMs());
    done += items.length;
  }
}

/** The audit table's columns, indexes and constraints without its chain: no head, no hashes computed. */
export async function createUnchainedTable(db) {
  await db.query(`
    create table bench_unchained_events (like audit_events including defaults including constraints including indexes);
    create sequence bench_unchained_seq;
  `);
}

const DETAILS_COLUMN = 13;
const COLUMNS =
  'id, chain_key, seq, tenant_id, occurred_at, action, outcome, actor_type, actor_id, target_type, target_id, ' +
  'ip, user_agent, details, prev_hash, hash';

/**
 * A row as audit_append would write it, with 64 hex digits of random in both hash columns (the same width;
 * nothing chained).
 */
function unchainedRow(tenantId, chainKey, seq) {
  const { entry } = signInEntry(tenantId, seq);
  return [
    randomUUID(),
    chainKey,
    seq,
    tenantId,
    new Date().toISOString(),
    'SessionCreated',
    'success',
    'user',
    entry.actor.id,
    'session',
    entry.target.id,
    entry.request.ip,
    entry.request.userAgent,
    entry.details,
    randomBytes(32).toString('hex'),
    randomBytes(32).toString('hex'),
  ];
}

/** Chains `rows` in order after `head.hash` as audit_append does, but in this process: the app's auditHash. */
function chainHere(rows, head) {
  for (const row of rows) {
    const [id, chainKey, seq, tenantId, occurredAt, action, outcome, actorType, actorId, targetType, targetId] = row;
    const [ip, userAgent, details] = row.slice(11, 14);
    const event = { id, chainKey, seq, tenantId, occurredAt: new Date(occurredAt), action, outcome, actorType };
    Object.assign(event, { actorId, targetType, targetId, ip, userAgent, details });
    row[14] = head.hash;
    row[15] = head.hash = auditHash(head.hash, event);
  }
}

/**
 * `count` rows in multi-row INSERTs of `batch` (one statement per batch, autocommit), from one connection.
 * `chained`: each row's prev_hash and hash computed here, in order, before its batch is sent.
 */
export async function rawBatchedInsert(db, { tenantId, chainKey, count, batch, chained = false }) {
  const head = { hash: GENESIS_HASH };
  const types = 'uuid text int8 uuid timestamptz text text text text text text text text jsonb text text'.split(' ');
  const sql =
    `insert into bench_unchained_events (${COLUMNS}) select * from unnest(` +
    types.map((t, i) => `$${i + 1}::${t}[]`).join(', ') +
    ')';
  for (let done = 0; done < count;) {
    const rows = Array.from({ length: Math.min(batch, count - done) }, (_, i) =>
      unchainedRow(tenantId, chainKey, done + i + 1),
    );
    if (chained) chainHere(rows, head);
    await db.query(
      sql,
      types.map((_, column) =>
        rows.map((row) => (column === DETAILS_COLUMN ? JSON.stringify(row[column]) : row[column])),
      ),
    );
    done += rows.length;
  }
}

/**
 * `writers` loops on a pg Pool, each running one transaction after another (begin, one single-row INSERT
 * with its seq from a sequence, commit): the unit of work's round trips without the chain.
 */
export async function unchainedTransactions(pool, { tenantId, chainKey, writers, stop, onCommitted }) {
  const sql =
    `insert into bench_unchained_events (${COLUMNS}) ` +
    `values ($1, $2, nextval('bench_unchained_seq'), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`;
  const writer = async () => {
    while (!stop()) {
      const row = unchainedRow(tenantId, chainKey, 0);
      row[DETAILS_COLUMN] = JSON.stringify(row[DETAILS_COLUMN]);
      row.splice(2, 1);
      const started = performance.now();
      const client = await pool.connect();
      try {
        await client.query('begin');
        await client.query(sql, row);
        await client.query('commit');
      } finally {
        client.release();
      }
      onCommitted(wallMs(), performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: writers }, writer));
}
