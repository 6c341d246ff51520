import type { AuthHeader } from "../message/types.ts";

/** RFC 3261 §25.1 token characters. */
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

/**
 * Parameters written as bare tokens in a challenge; all others are quoted.
 *
 * @remarks RFC 3261 §25.1: `stale = "stale" EQUAL ( "true" / "false" )`, `algorithm = "algorithm"
 * EQUAL ( "MD5" / "MD5-sess" / token )`, while realm, domain, nonce and opaque are quoted-strings and
 * `qop-options = "qop" EQUAL LDQUOT qop-value *("," qop-value) RDQUOT`.
 */
const CHALLENGE_TOKENS: ReadonlySet<string> = new Set(["stale", "algorithm"]);

/**
 * Parameters written as bare tokens in credentials; all others are quoted.
 *
 * @remarks RFC 3261 §25.1: `message-qop = "qop" EQUAL qop-value`, `nonce-count = "nc" EQUAL 8LHEX`.
 * RFC 3261 §22.4 item 2: "For SIP, the 'uri' MUST be enclosed in quotation marks."
 */
const CREDENTIALS_TOKENS: ReadonlySet<string> = new Set(["algorithm", "qop", "nc"]);

/**
 * Whether a value can be written inside a quoted-string at all: no control character other than
 * HTAB. RFC 3261 §25.1: `quoted-pair = "\\" (%x00-09 / %x0B-0C / %x0E-7F)`, so not even escaping can
 * carry CR or LF, and the other controls are not qdtext.
 */
export function isQuotable(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return false;
  }
  return true;
}

/**
 * A quoted-string for `value`, with `"` and `\` escaped as quoted-pairs.
 *
 * @throws RangeError when the value holds a control character other than HTAB: CR or LF inside a
 * header value would let the value start a new header.
 */
export function quoteString(value: string): string {
  if (!isQuotable(value)) throw new RangeError("value holds a control character and cannot be quoted");
  return `"${value.replace(/[\\"]/g, "\\$&")}"`;
}

function serialize(header: AuthHeader, bareTokens: ReadonlySet<string>): string {
  if (!TOKEN.test(header.scheme)) throw new RangeError(`auth scheme is not a token: ${header.scheme}`);
  const parts: string[] = [];
  for (const [name, value] of header.params) {
    if (!TOKEN.test(name)) throw new RangeError(`auth parameter name is not a token: ${name}`);
    const bare = bareTokens.has(name) && TOKEN.test(value);
    parts.push(`${name}=${bare ? value : quoteString(value)}`);
  }
  return parts.length === 0 ? header.scheme : `${header.scheme} ${parts.join(", ")}`;
}

/**
 * The value of a WWW-Authenticate or Proxy-Authenticate header field, parameters in map order.
 *
 * @throws RangeError when a name is not a token or a value holds a control character.
 */
export function serializeChallenge(header: AuthHeader): string {
  return serialize(header, CHALLENGE_TOKENS);
}

/**
 * The value of an Authorization or Proxy-Authorization header field, parameters in map order.
 *
 * @throws RangeError when a name is not a token or a value holds a control character.
 */
export function serializeCredentials(header: AuthHeader): string {
  return serialize(header, CREDENTIALS_TOKENS);
}
