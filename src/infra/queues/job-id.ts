/**
 * A job id derived from the work it stands for (`grace-<tenant>-<user>-<deadline ms>`), so the same
 * work enqueued twice — a retry after a crash, two api nodes — is one job. BullMQ rejects ids that
 * contain ':' (its key separator) or are plain integers (its own ids), so both are refused here
 * rather than rewritten, which could make two different pieces of work collide.
 */
export function jobIdOf(...parts: (string | number | Date)[]): string {
  if (parts.length === 0) throw new Error('a job id needs at least one part');
  const id = parts.map((part) => (part instanceof Date ? String(part.getTime()) : String(part))).join('-');
  if (id.includes(':')) throw new Error(`job id "${id}" must not contain ':'`);
  if (/^\d+$/.test(id)) throw new Error(`job id "${id}" must not be an integer`);
  return id;
}
