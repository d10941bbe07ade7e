import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { endWalk, isBroken, startWalk, verifyChain, walkChain, type ChainHead } from '../../src/audit/audit-chain.js';
import { AuditEvent } from '../../src/audit/audit-event.entity.js';
import { auditHash, GENESIS_HASH } from '../../src/audit/audit-hash.js';

const TENANT = randomUUID();

/** A well-formed chain of `n` events, as AuditLog.append writes them, and its head. */
function aChain(n: number): { events: AuditEvent[]; head: ChainHead } {
  const events: AuditEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const event = Object.assign(new AuditEvent(), {
      id: randomUUID(),
      chainKey: TENANT,
      seq: String(seq),
      tenantId: TENANT,
      occurredAt: new Date(Date.UTC(2030, 0, 1, 0, seq)),
      action: seq % 2 ? 'SessionCreated' : 'LoginFailed',
      outcome: seq % 2 ? 'success' : 'failure',
      actorType: 'user',
      actorId: randomUUID(),
      targetType: 'session',
      targetId: randomUUID(),
      ip: '203.0.113.7',
      userAgent: 'jest',
      details: { n: seq, nested: { b: 2, a: [1, 'x'] } },
      prevHash,
    } satisfies Partial<AuditEvent>);
    event.hash = auditHash(prevHash, event);
    prevHash = event.hash;
    events.push(event);
  }
  return { events, head: { lastSeq: n, lastHash: prevHash } };
}

/** The chain as an attacker with write access left it: `edit` changes copies, never the original. */
function tampered(events: AuditEvent[], edit: (copy: AuditEvent[]) => AuditEvent[]): AuditEvent[] {
  return edit(events.map((e) => Object.assign(new AuditEvent(), structuredClone({ ...e }))));
}

/** Re-links every event from `fromIndex` on, as an attacker who knows the hash scheme would. */
function rehashFrom(events: AuditEvent[], fromIndex: number): AuditEvent[] {
  for (let i = fromIndex; i < events.length; i++) {
    const e = events[i]!;
    e.prevHash = i === 0 ? GENESIS_HASH : events[i - 1]!.hash;
    e.hash = auditHash(e.prevHash, e);
  }
  return events;
}

describe('audit chain verification', () => {
  it('accepts an intact chain and reports how far it checked', () => {
    const { events, head } = aChain(5);
    expect(verifyChain(events, head)).toEqual({ ok: true, checked: 5, lastSeq: 5 });
  });

  it('accepts an empty chain that has no head yet', () => {
    expect(verifyChain([], null)).toEqual({ ok: true, checked: 0, lastSeq: 0 });
  });

  it('gives the same verdict walked in batches as walked at once', () => {
    const { events, head } = aChain(7);
    const edited = tampered(events, (c) => ((c[5]!.details = { n: 'edited' }), c));
    for (const chain of [events, edited]) {
      let walk = startWalk();
      let verdict;
      for (let i = 0; i < chain.length && !verdict; i += 3) {
        const next = walkChain(walk, chain.slice(i, i + 3));
        if (isBroken(next)) verdict = next;
        else walk = next;
      }
      expect(verdict ?? endWalk(walk, head)).toEqual(verifyChain(chain, head));
    }
  });

  it('names the edited event when a field changes and the hash is left alone', () => {
    const { events, head } = aChain(5);
    const edits: ((e: AuditEvent) => void)[] = [
      (e) => (e.details = { ...e.details, n: 99 }),
      (e) => (e.outcome = 'success'),
      (e) => (e.actorId = 'someone-else'),
      (e) => (e.occurredAt = new Date(e.occurredAt.getTime() + 1)),
      (e) => (e.ip = null),
    ];
    for (const edit of edits) {
      const verdict = verifyChain(
        tampered(events, (c) => (edit(c[3]!), c)),
        head,
      );
      expect(verdict).toMatchObject({ ok: false, brokenAt: 4, problem: 'hash_mismatch', checked: 3 });
    }
  });

  it('names the event after an edited one whose hash was recomputed', () => {
    const { events, head } = aChain(5);
    const chain = tampered(events, (c) => {
      c[1]!.details = { n: 'rewritten' };
      c[1]!.hash = auditHash(c[1]!.prevHash, c[1]!);
      return c;
    });
    expect(verifyChain(chain, head)).toMatchObject({ ok: false, brokenAt: 3, problem: 'prev_hash_mismatch' });
  });

  it('catches a chain rewritten to the end through the head', () => {
    const { events, head } = aChain(5);
    const chain = tampered(events, (c) => ((c[2]!.details = { n: 'rewritten' }), rehashFrom(c, 2)));
    expect(verifyChain(chain, head)).toMatchObject({ ok: false, brokenAt: 5, problem: 'head_mismatch' });
  });

  it('names the missing seq when an event in the middle is deleted', () => {
    const { events, head } = aChain(6);
    const verdict = verifyChain(
      tampered(events, (c) => c.filter((e) => e.seq !== '4')),
      head,
    );
    expect(verdict).toMatchObject({ ok: false, brokenAt: 4, problem: 'seq_gap', checked: 3 });
  });

  it('names seq 1 when the first event is deleted', () => {
    const { events, head } = aChain(3);
    expect(verifyChain(events.slice(1), head)).toMatchObject({ ok: false, brokenAt: 1, problem: 'seq_gap' });
  });

  it('catches a deletion closed up by renumbering the later events', () => {
    const { events, head } = aChain(5);
    const chain = tampered(events, (c) => {
      const kept = c.filter((e) => e.seq !== '2');
      kept.forEach((e, i) => (e.seq = String(i + 1)));
      return kept;
    });
    expect(verifyChain(chain, head)).toMatchObject({ ok: false, brokenAt: 2, problem: 'prev_hash_mismatch' });
  });

  it('catches events deleted from the tail through the head', () => {
    const { events, head } = aChain(5);
    expect(verifyChain(events.slice(0, 3), head)).toMatchObject({
      ok: false,
      brokenAt: 4,
      problem: 'head_mismatch',
      checked: 3,
    });
  });

  it('catches a whole chain deleted while its head remains', () => {
    const { head } = aChain(2);
    expect(verifyChain([], head)).toMatchObject({ ok: false, brokenAt: 1, problem: 'head_mismatch' });
  });

  it('catches events without a head and events past the head', () => {
    const { events } = aChain(4);
    expect(verifyChain(events, null)).toMatchObject({ ok: false, problem: 'head_mismatch' });
    expect(verifyChain(events, { lastSeq: 3, lastHash: events[2]!.hash })).toMatchObject({
      ok: false,
      brokenAt: 4,
      problem: 'head_mismatch',
    });
    expect(verifyChain(events, { lastSeq: 4, lastHash: GENESIS_HASH })).toMatchObject({
      ok: false,
      brokenAt: 4,
      problem: 'head_mismatch',
    });
  });

  it('catches two events swapped in place', () => {
    const { events, head } = aChain(5);
    const swapped = tampered(events, (c) => [c[0]!, c[2]!, c[1]!, c[3]!, c[4]!]);
    expect(verifyChain(swapped, head)).toMatchObject({ ok: false, brokenAt: 2, problem: 'seq_gap' });
  });

  it('catches two events swapped with their seqs exchanged', () => {
    const { events, head } = aChain(5);
    const swapped = tampered(events, (c) => {
      [c[1]!.seq, c[2]!.seq] = [c[2]!.seq, c[1]!.seq];
      return [c[0]!, c[2]!, c[1]!, c[3]!, c[4]!];
    });
    expect(verifyChain(swapped, head)).toMatchObject({ ok: false, brokenAt: 2, problem: 'prev_hash_mismatch' });
  });

  it('catches a swap that was re-linked, because seq is part of what is hashed', () => {
    const { events, head } = aChain(5);
    const swapped = tampered(events, (c) => {
      [c[1]!.seq, c[2]!.seq] = [c[2]!.seq, c[1]!.seq];
      const reordered = [c[0]!, c[2]!, c[1]!, c[3]!, c[4]!];
      // Linked again, but with the hashes each event already carried (rehashing is caught by the head).
      reordered[1]!.prevHash = reordered[0]!.hash;
      return reordered;
    });
    expect(verifyChain(swapped, head)).toMatchObject({ ok: false, brokenAt: 2, problem: 'hash_mismatch' });
  });

  it('catches an event placed before one with a lower seq', () => {
    const { events, head } = aChain(4);
    const chain = [events[0]!, events[1]!, events[1]!, events[2]!, events[3]!];
    expect(verifyChain(chain, head)).toMatchObject({ ok: false, brokenAt: 2, problem: 'seq_out_of_order' });
  });

  it('catches a chain whose first event does not start from the genesis hash', () => {
    const { events, head } = aChain(3);
    const chain = tampered(events, (c) => ((c[0]!.prevHash = 'f'.repeat(64)), c));
    expect(verifyChain(chain, head)).toMatchObject({ ok: false, brokenAt: 1, problem: 'prev_hash_mismatch' });
  });
});
