import { isAscii, isUtf8 } from "node:buffer";
import { is, isWsp, TOKEN } from "../grammar/charset.ts";
import { SipParseError } from "../grammar/sip-parse-error.ts";
import { parseUri } from "../grammar/uri.ts";
import { headerKey } from "./header-names.ts";
import { Headers } from "./headers.ts";
import { defaultMaxHeaders, defaultMaxMessageSize, type MessageLimits } from "./limits.ts";
import type { HeaderField, SipMessage, SipRequest, SipResponse } from "./types.ts";
import { validateMessage } from "./validate-message.ts";

export interface ParseOptions extends MessageLimits {
  /**
   * Parse and check every hot header, the CSeq method and the Date now, rather than on first
   * use (see `validateMessage`). Default false: typed headers are parsed lazily.
   */
  validate?: boolean;
}

const CR = 0x0d;
const LF = 0x0a;
const emptyBody = new Uint8Array(0);
const CRLFCRLF = Buffer.from("\r\n\r\n");

/**
 * Parses one whole SIP message: a UDP datagram, a WebSocket message, or the bytes a
 * `StreamFramer` cut out of a stream.
 *
 * The start line, the header lines and the body framing are checked here; the typed hot
 * headers are parsed on first use (or at once with `validate: true`). Every failure is a
 * `SipParseError`; no other exception escapes, and the work is linear in the input.
 *
 * @remarks RFC 3261 §18.3: "If the message has a Content-Length header field, the message
 * body is assumed to contain that many bytes. If there are additional bytes in the transport
 * packet beyond the end of the body, they MUST be discarded. If the transport packet ends
 * before the end of the message body, this is considered an error." and "If there is no
 * Content-Length header field, the message body is assumed to end at the end of the transport
 * packet." RFC 3261 §7.5: implementations "MUST ignore any CRLF appearing before the
 * start-line".
 */
export function parseMessage(bytes: Uint8Array, opts: ParseOptions = {}): SipMessage {
  const maxSize = opts.maxMessageSize ?? defaultMaxMessageSize;
  if (bytes.length > maxSize) throw new SipParseError("MESSAGE_TOO_LARGE", `over ${maxSize} bytes`);
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  let start = 0;
  while (start < buf.length && (buf[start] === CR || buf[start] === LF)) start++;
  if (start === buf.length) throw new SipParseError("EMPTY_MESSAGE");

  // Nearly every message ends its header section with CRLF CRLF: one native search finds it.
  // Bare-LF line ends (tolerated) take the line-by-line path.
  const crlf2 = buf.indexOf(CRLFCRLF, start);
  let [headEnd, bodyStart] = crlf2 >= 0 ? [crlf2 + 2, crlf2 + 4] : headerEndByLines(buf, start);
  let text = decodeHead(buf, start, headEnd);
  let firstNl = text.indexOf("\n");
  const startLine = parseStartLine(text.slice(0, lineEnd(text, 0, firstNl)));
  let headers = parseHeaderLines(text, firstNl + 1, opts.maxHeaders ?? defaultMaxHeaders);
  if (headers === undefined) {
    // An empty line before the CRLF CRLF: the header section ended earlier, at a bare LF.
    [headEnd, bodyStart] = headerEndByLines(buf, start);
    text = decodeHead(buf, start, headEnd);
    firstNl = text.indexOf("\n");
    headers = parseHeaderLines(text, firstNl + 1, opts.maxHeaders ?? defaultMaxHeaders);
    if (headers === undefined) throw new SipParseError("BAD_HEADER", "empty line inside the header section");
  }

  const contentLength = headers.contentLength();
  const available = buf.length - bodyStart;
  let body: Uint8Array;
  if (contentLength === undefined) {
    body = available === 0 ? emptyBody : bytes.subarray(bodyStart);
  } else if (contentLength > available) {
    throw new SipParseError(
      "CONTENT_LENGTH_MISMATCH",
      `Content-Length ${contentLength} but ${available} bytes of body`,
      "content-length",
    );
  } else {
    body = contentLength === 0 ? emptyBody : bytes.subarray(bodyStart, bodyStart + contentLength);
  }

  const message: SipMessage =
    startLine.kind === "request"
      ? {
          kind: "request",
          method: startLine.method,
          uri: startLine.uri,
          uriText: startLine.uriText,
          version: "SIP/2.0",
          headers,
          body,
        }
      : {
          kind: "response",
          status: startLine.status,
          reason: startLine.reason,
          version: "SIP/2.0",
          headers,
          body,
        };
  if (opts.validate) validateMessage(message);
  return message;
}

/** [end of the header section (after its last LF), start of the body], scanning line by line. */
function headerEndByLines(buf: Buffer, start: number): [number, number] {
  for (let i = start; ; ) {
    const nl = buf.indexOf(LF, i);
    if (nl < 0) throw new SipParseError("TRUNCATED", "no empty line after the header fields");
    // A datagram that ends right after a header line has nothing left to be a body: the
    // empty line is missing, but where the header section ends is not in doubt.
    if (nl === buf.length - 1) return [buf.length, buf.length];
    const next = buf[nl + 1];
    if (next === LF) return [nl + 1, nl + 2];
    if (next === CR && buf[nl + 2] === LF) return [nl + 1, nl + 3];
    i = nl + 1;
  }
}

/**
 * The header section as text: ASCII (the common case) decodes fastest as latin1.
 *
 * @remarks RFC 3261 §7.3.1 / §25: header values are UTF-8 (`TEXT-UTF8`, `UTF8-NONASCII`);
 * anything else cannot be represented faithfully and is refused.
 */
function decodeHead(buf: Buffer, start: number, end: number): string {
  const head = buf.subarray(start, end);
  if (isAscii(head)) return buf.toString("latin1", start, end);
  if (isUtf8(head)) return buf.toString("utf8", start, end);
  throw new SipParseError("BAD_UTF8", "header section is not UTF-8");
}

/** End of the line starting at `from` whose LF is at `nl`, without the CR before the LF. */
function lineEnd(text: string, from: number, nl: number): number {
  return nl > from && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
}

/**
 * @remarks RFC 3261 §25.1: `HCOLON = *( SP / HTAB ) ":" SWS`, so whitespace may surround the
 * colon; RFC 3261 §7.3.1: header fields "can be extended over multiple lines by preceding each
 * extra line with at least one space or horizontal tab"; a folded
 * value is stored with each line break and its surrounding whitespace replaced by one space.
 * Returns undefined when an empty line comes before the end of `text`.
 */
function parseHeaderLines(text: string, from: number, maxHeaders: number): Headers | undefined {
  const fields: HeaderField[] = [];
  const keys: string[] = [];
  let last: HeaderField | undefined;
  let pos = from;
  // The next CR at or after `pos`: it must be the one ending the current line, if any. A CR
  // elsewhere would end the line for some peers and not for others.
  let nextCr = text.indexOf("\r", pos);
  while (pos < text.length) {
    const nl = text.indexOf("\n", pos);
    const end = lineEnd(text, pos, nl);
    if (nextCr >= 0 && nextCr < pos) nextCr = text.indexOf("\r", pos);
    if (nextCr >= 0 && nextCr < end) throw new SipParseError("BAD_HEADER", "bare CR in header field");
    if (end === pos) return undefined;
    const first = text.charCodeAt(pos);
    if (isWsp(first)) {
      if (last === undefined)
        throw new SipParseError("BAD_HEADER", "continuation line before the first header");
      const more = trimWsp(text, pos, end);
      if (more !== "") last.value = last.value === "" ? more : `${last.value} ${more}`;
    } else {
      const colon = text.indexOf(":", pos);
      if (colon < 0 || colon > end) throw new SipParseError("BAD_HEADER", "header line without ':'");
      let nameEnd = colon;
      while (nameEnd > pos && isWsp(text.charCodeAt(nameEnd - 1))) nameEnd--;
      const name = text.slice(pos, nameEnd);
      if (!isToken(name)) throw new SipParseError("BAD_HEADER", "bad header name");
      if (fields.length === maxHeaders) {
        throw new SipParseError("TOO_MANY_HEADERS", `more than ${maxHeaders} header fields`);
      }
      last = { name, value: trimWsp(text, colon + 1, end) };
      fields.push(last);
      keys.push(headerKey(name));
    }
    pos = nl + 1;
  }
  return Headers.fromParsed(fields, keys);
}

function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!is(s.charCodeAt(i), TOKEN)) return false;
  return true;
}

function trimWsp(text: string, from: number, to: number): string {
  while (from < to && isWsp(text.charCodeAt(from))) from++;
  while (to > from && isWsp(text.charCodeAt(to - 1))) to--;
  return text.slice(from, to);
}

/**
 * @remarks RFC 3261 §7.1: "The SIP-Version string is case-insensitive, but implementations
 * MUST send upper-case." RFC 3261 §25.1: `Request-Line = Method SP Request-URI SP SIP-Version
 * CRLF`: exactly one SP between the elements (RFC 4475 §3.1.2.9 and §3.1.2.10 put several,
 * or trailing ones, which are malformed). RFC 3261 §8.2.2.1 answers an unsupported version
 * with 505 (RFC 4475 §3.1.2.16).
 */
type StartLine =
  | Pick<SipRequest, "kind" | "method" | "uri" | "uriText">
  | Pick<SipResponse, "kind" | "status" | "reason">;

function parseStartLine(line: string): StartLine {
  if (line.includes("\r")) throw new SipParseError("BAD_START_LINE", "bare CR in the start line");
  if (
    (line.charCodeAt(0) | 0x20) === 0x73 &&
    (line.charCodeAt(1) | 0x20) === 0x69 &&
    (line.charCodeAt(2) | 0x20) === 0x70 &&
    line.charCodeAt(3) === 0x2f
  ) {
    const sp = line.indexOf(" ");
    checkVersion(sp < 0 ? line : line.slice(0, sp));
    if (sp < 0) throw new SipParseError("BAD_STATUS", "missing status code");
    let i = sp + 1;
    let status = 0;
    while (i < line.length && i - sp <= 4) {
      const c = line.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      status = status * 10 + (c - 0x30);
      i++;
    }
    if (i - sp !== 4 || status < 100 || status > 699 || (i < line.length && line.charCodeAt(i) !== 0x20)) {
      throw new SipParseError("BAD_STATUS", "status code must be three digits from 100 to 699");
    }
    return { kind: "response", status, reason: line.slice(i + 1) };
  }
  const sp1 = line.indexOf(" ");
  const sp2 = sp1 < 0 ? -1 : line.indexOf(" ", sp1 + 1);
  if (sp1 <= 0 || sp2 < 0 || line.indexOf(" ", sp2 + 1) >= 0 || sp2 === sp1 + 1) {
    throw new SipParseError("BAD_START_LINE", "expected 'Method SP Request-URI SP SIP-Version'");
  }
  const method = line.slice(0, sp1);
  if (!isToken(method)) throw new SipParseError("BAD_METHOD", "method is not a token");
  checkVersion(line.slice(sp2 + 1));
  const uriText = line.slice(sp1 + 1, sp2);
  const uri = parseUri(uriText);
  if ("headers" in uri && uri.headers.size > 0) {
    throw new SipParseError("BAD_URI", "headers are not allowed in a Request-URI");
  }
  return { kind: "request", method, uri, uriText };
}

const versionShape = /^SIP\/\d{1,9}\.\d{1,9}$/i;

function checkVersion(version: string): void {
  if (version.length === 7 && version.toUpperCase() === "SIP/2.0") return;
  if (versionShape.test(version)) throw new SipParseError("BAD_VERSION", "only SIP/2.0 is supported");
  throw new SipParseError("BAD_START_LINE", "not a SIP start line");
}
