// What bench/audit-stream.bench.js knows about the events its receivers got: for one chain and one range
// of seqs, when each seq first arrived, and whether they came in seq order, none missing (duplicates are
// allowed, at least once, and counted). Plus the few statistics it prints.

/** Tracks seqs `from`..`to` of `tenant`'s chain at one receiver. */
export function rangeArrivals({ receiver, tenant, from, to }) {
  const first = new Float64Array(to - from + 1).fill(NaN);
  let next = from;
  let seen = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  let requests = 0;
  let lastAt = NaN;
  let firstAt = NaN;
  return {
    receiver,
    tenant,
    from,
    to,
    /** One request (webhook) or one message (syslog) of the chain, arrived at `at`. */
    add(seqs, at) {
      let counted = false;
      for (const seq of seqs) {
        if (seq < from || seq > to) continue;
        if (!counted) {
          requests++;
          counted = true;
        }
        const i = seq - from;
        if (!Number.isNaN(first[i])) {
          duplicates++;
          continue;
        }
        if (seq !== next) outOfOrder++;
        first[i] = at;
        seen++;
        next = Math.max(next, seq + 1);
        if (Number.isNaN(firstAt)) firstAt = at;
        lastAt = at;
      }
    },
    complete: () => seen === to - from + 1,
    missing: () => to - from + 1 - seen,
    arrivalOf: (seq) => first[seq - from],
    summary: () => ({ seen, duplicates, outOfOrder, requests, firstAt, lastAt }),
  };
}

/** The p-th percentile (0–100) of `values` by nearest rank; NaN for none. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function sortedNumbers(values) {
  return Float64Array.from(values).sort();
}

/** `{ p50, p90, p99, max }` of `values` (ms). */
export function latencySummary(values) {
  const sorted = sortedNumbers(values);
  const at = (p) => percentile(sorted, p);
  return { p50: at(50), p90: at(90), p99: at(99), max: sorted.at(-1) ?? NaN, count: sorted.length };
}
