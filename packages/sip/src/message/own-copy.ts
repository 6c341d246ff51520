/**
 * A copy of `text` that shares no memory with the string it was cut from.
 *
 * A string the parser cut out of a message (a branch, a host, a nonce) may be a slice that keeps
 * the whole header section of that message alive. Whatever outlives the request (a transaction
 * for 64*T1, a nonce count for the nonce's lifetime) copies the few strings it keeps, so the
 * request can be collected young. V8 copies slices shorter than 13 characters anyway; longer ones
 * are copied by flattening a concatenation.
 */
export function ownCopy(text: string): string {
  return text.length < 13 ? text : ` ${text}`.slice(1);
}
