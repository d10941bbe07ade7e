// How bench/audit-stream.bench.js prints: numbers, durations, the load average and aligned tables.
import { loadavg } from 'node:os';

export const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
export const int = (n) => Math.round(n).toLocaleString('en-US');
/** Milliseconds with as many digits as they deserve; a dash for none. */
export const ms = (n) => (Number.isNaN(n) ? '—' : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : int(n));
export const seconds = (millis) => `${(millis / 1000).toFixed(2)} s`;
const pad = (cells, widths) =>
  cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[0]) : String(c).padStart(widths[i]))).join('  ');

export function table(header, rows) {
  const widths = header.map((h, i) => Math.max(String(h).length, ...rows.map((r) => String(r[i]).length)));
  console.log(`  ${pad(header, widths)}`);
  for (const row of rows) console.log(`  ${pad(row, widths)}`);
}
