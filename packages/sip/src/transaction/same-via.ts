import type { Via } from "../message/types.ts";

/**
 * Equality of two Via header field values: same protocol, transport, sent-by and parameters,
 * compared case-insensitively.
 *
 * @remarks RFC 3261 §7.3.1: "Unless otherwise stated in the definition of a particular header
 * field, field values, parameter names, and parameter values are case-insensitive." The order of
 * parameters carries no meaning.
 */
export function sameVia(a: Via, b: Via): boolean {
  if (a.protocol.toUpperCase() !== b.protocol.toUpperCase()) return false;
  if (a.transport.toUpperCase() !== b.transport.toUpperCase()) return false;
  if (a.host.toLowerCase() !== b.host.toLowerCase() || a.port !== b.port) return false;
  if (a.params.size !== b.params.size) return false;
  for (const [name, value] of a.params) {
    if (!b.params.has(name)) return false;
    const other = b.params.get(name);
    if (value === null || other === null || other === undefined) {
      if (value !== other) return false;
    } else if (value.toLowerCase() !== other.toLowerCase()) {
      return false;
    }
  }
  return true;
}
