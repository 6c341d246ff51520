/**
 * @remarks RFC 3261 §7.3.3: "SIP provides a mechanism to represent common header field names
 * in an abbreviated form." The table holds RFC 3261's compact forms and those registered
 * since: `o` and `u`
 * (RFC 3265), `r` (RFC 3515), `b` (RFC 3892), `a`, `j` and `d` (RFC 3841), `x` (RFC 4028) and
 * `y` (RFC 4474).
 */
const compactForms: Readonly<Record<string, string>> = {
  a: "accept-contact",
  b: "referred-by",
  c: "content-type",
  d: "request-disposition",
  e: "content-encoding",
  f: "from",
  i: "call-id",
  j: "reject-contact",
  k: "supported",
  l: "content-length",
  m: "contact",
  o: "event",
  r: "refer-to",
  s: "subject",
  t: "to",
  u: "allow-events",
  v: "via",
  x: "session-expires",
  y: "identity",
};

/**
 * The key a header name is stored and looked up under: lower case, compact forms expanded.
 *
 * @remarks RFC 3261 §7.3.1: "When comparing header fields, field names are always
 * case-insensitive."
 */
export function headerKey(name: string): string {
  const lower = name.toLowerCase();
  return lower.length === 1 ? (compactForms[lower] ?? lower) : lower;
}

const canonicalSpelling: Readonly<Record<string, string>> = {
  "call-id": "Call-ID",
  cseq: "CSeq",
  "www-authenticate": "WWW-Authenticate",
  "mime-version": "MIME-Version",
  rack: "RAck",
  rseq: "RSeq",
};

/** The usual spelling of a header name, for headers this library writes: `call-id` → `Call-ID`. */
export function headerDisplayName(key: string): string {
  const special = canonicalSpelling[key];
  if (special) return special;
  return key.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());
}
