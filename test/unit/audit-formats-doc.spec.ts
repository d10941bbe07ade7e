import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ACTION_MAPPINGS, type ActionMapping } from '../../src/audit/formats/action-mappings.js';
import { type AuditFormat, renderLine } from '../../src/audit/formats/audit-format.js';
import { PRODUCT } from '../../src/audit/formats/product.js';
import type { StreamItem } from '../../src/audit/stream/stream-item.js';
import { aCheckpoint, anAuditEvent, checkpointItem, eventItem, SESSION } from '../support/audit-items.js';

const doc = readFileSync(new URL('../../docs/audit-formats.md', import.meta.url), 'utf8');

/** The table's rows as docs/audit-formats.md must show them, one per row of ACTION_MAPPINGS. */
function mappingRows(): string[][] {
  return Object.entries(ACTION_MAPPINGS).map(([action, m]) => [
    `\`${action}\``,
    m.title,
    `${m.ocsf.class.caption} (${m.ocsf.class.uid})`,
    `${m.ocsf.activity.caption} (${m.ocsf.activity.id})`,
    extras(m),
    m.ecs.category.join(', '),
    m.ecs.type.join(', '),
    m.severity,
  ]);
}

function extras({ ocsf }: ActionMapping): string {
  return [ocsf.mfa ? '`is_mfa`' : '', ocsf.factor ? `factor \`${ocsf.factor}\`` : ''].filter(Boolean).join(', ');
}

/** The rows of the markdown table that follows the marker, each cell trimmed (prettier pads them). */
function tableAfter(marker: string): string[][] {
  const rest = doc.slice(doc.indexOf(marker) + marker.length).trimStart();
  const lines = rest.split('\n');
  const table = lines.slice(
    0,
    lines.findIndex((line) => !line.startsWith('|')),
  );
  return table.slice(2).map((line) =>
    line
      .slice(1, -1)
      .split('|')
      .map((cell) => cell.trim()),
  );
}

/** The examples: a refused second factor at sign-in (factors, is_mfa, a failure) and a checkpoint. */
const EXAMPLES: Record<string, StreamItem> = {
  event: eventItem(
    anAuditEvent({
      action: 'MfaChallengeFailed',
      outcome: 'failure',
      target: { type: 'mfa_challenge', id: SESSION },
      details: { method: 'totp', code: 'mfa_code_invalid', reason: 'The code is not valid', consecutiveFailures: 2 },
    }),
  ),
  checkpoint: checkpointItem(aCheckpoint()),
};

function exampleIn(format: AuditFormat, kind: string): string {
  const marker = `<!-- example: ${format} ${kind} -->`;
  const at = doc.indexOf(marker);
  if (at < 0) throw new Error(`docs/audit-formats.md has no ${marker}`);
  const block = /```\w*\n([\s\S]*?)\n```/.exec(doc.slice(at))!;
  return block[1]!;
}

describe('docs/audit-formats.md', () => {
  it('shows the mapping table exactly as action-mappings.ts holds it', () => {
    expect(tableAfter('<!-- mapping table -->')).toEqual(mappingRows());
  });

  it('shows each format rendering the examples as the code renders them', () => {
    // The examples show version 0.1.0 whatever package.json says, so a release does not rewrite them.
    const rendered = (format: AuditFormat, item: StreamItem) =>
      renderLine(format, item).split(PRODUCT.version).join('0.1.0');
    for (const format of ['native', 'ocsf', 'ecs'] as const) {
      for (const [kind, item] of Object.entries(EXAMPLES)) {
        expect([format, kind, JSON.parse(exampleIn(format, kind))]).toEqual([
          format,
          kind,
          JSON.parse(rendered(format, item)),
        ]);
      }
    }
    for (const [kind, item] of Object.entries(EXAMPLES)) expect(exampleIn('cef', kind)).toBe(rendered('cef', item));
  });
});
