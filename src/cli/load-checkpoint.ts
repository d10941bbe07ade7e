import { readFile } from 'node:fs/promises';
import { type AuditCheckpointView, auditCheckpointViewSchema } from '../audit/index.js';

const FETCH_TIMEOUT_MS = 10_000;

/**
 * The checkpoints a file or URL holds: one checkpoint (`AuditCheckpointView`, or the native stream's item
 * with its `type`), an array of them, a page of `GET /v1/audit-checkpoints`, or NDJSON of stream items
 * (a SIEM's saved stream, whose events are skipped). Anything else is refused, naming the source.
 */
export async function loadCheckpoints(source: string): Promise<AuditCheckpointView[]> {
  const text = /^https?:\/\//i.test(source) ? await fetchText(source) : await readFile(source, 'utf8');
  const items = parseItems(text);
  const checkpoints = items
    .filter((item) => !isObject(item) || item.type === undefined || item.type === 'audit_checkpoint')
    .map((item) => auditCheckpointViewSchema.safeParse(item));
  const bad = checkpoints.find((parsed) => !parsed.success);
  if (bad && !bad.success) {
    const issue = bad.error.issues[0]!;
    throw new Error(`--checkpoint ${source}: not a checkpoint (${issue.path.join('.') || 'value'}: ${issue.message})`);
  }
  if (checkpoints.length === 0) throw new Error(`--checkpoint ${source}: holds no checkpoint`);
  return checkpoints.map((parsed) => parsed.data!);
}

function parseItems(text: string): unknown[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // NDJSON: one JSON value per line.
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as unknown);
  }
  if (Array.isArray(json)) return json;
  if (isObject(json) && Array.isArray(json.checkpoints)) return json.checkpoints as unknown[];
  return [json];
}

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error' });
  if (!res.ok) throw new Error(`--checkpoint ${url}: HTTP ${res.status}`);
  return res.text();
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
