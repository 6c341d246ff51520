import { randomUUID } from "node:crypto";

/**
 * A CDR id in the UUID version 7 layout (RFC 9562 §5.7): the first 48 bits are the Unix time in
 * milliseconds, so new records land at the end of the primary-key index instead of anywhere in it,
 * which keeps bulk writes from rewriting index pages all over the table.
 *
 * @remarks RFC 9562 §5.7: "UUIDv7 features a time-ordered value field derived from the widely
 * implemented and well-known Unix Epoch timestamp source, the number of milliseconds since
 * midnight 1 Jan 1970 UTC, leap seconds excluded."
 */
export function newCdrId(atMs: number = Date.now()): string {
  const time = Math.max(0, Math.floor(atMs)).toString(16).padStart(12, "0").slice(-12);
  // A v4 UUID supplies the random bits and the RFC 4122 variant; only the version nibble changes.
  const random = randomUUID();
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15)}`;
}

/**
 * A call's id, in the same time-ordered layout: it keys the call in progress, the CDR's call id and
 * the charge's ledger reference, so a busy node appends to those indexes instead of rewriting
 * pages all over them (random v4 ids cost SQLite several dirty pages per call and commit).
 */
export function newCallId(): string {
  return newCdrId();
}
