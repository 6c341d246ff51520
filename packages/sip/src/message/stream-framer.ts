import { SipParseError } from "../grammar/sip-parse-error.ts";
import { defaultMaxHeaders, defaultMaxMessageSize, type MessageLimits } from "./limits.ts";

/** What the framer found in the bytes pushed so far. */
export type FramerEvent =
  /** One complete message: start line, headers and exactly Content-Length bytes of body. */
  | { type: "message"; bytes: Uint8Array }
  /** A CRLFCRLF keep-alive; the transport should answer with a single CRLF. */
  | { type: "keepalive-ping" }
  /** A lone CRLF keep-alive answer. */
  | { type: "keepalive-pong" }
  /** The stream cannot be framed any further; the transport should close the connection. */
  | { type: "error"; error: SipParseError };

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;

/**
 * Cuts a TCP, TLS (or any other byte stream) into SIP messages.
 *
 * Feed it chunks as they arrive; each `push` returns the events completed by that chunk.
 * Memory stays bounded by `maxMessageSize` whatever the peer sends, the work per byte is
 * constant (each byte is scanned once), and after the first error the framer stays failed:
 * once framing is lost the connection cannot be trusted and must be closed.
 *
 * ```
 *   idle ──(CRLF CRLF)──► ping ──► idle
 *    │ ──(CRLF, then anything else)──► pong ──► idle
 *    │ ──(other byte)──► headers ──(empty line)──► body ──(Content-Length bytes)──► message ──► idle
 *    └──────────────── any limit exceeded or malformed framing ──► failed (terminal)
 * ```
 *
 * @remarks RFC 3261 §18.3: "In the case of stream-oriented transports such as TCP, the
 * Content-Length header field indicates the size of the body." RFC 3261 §7.5:
 * "Implementations processing SIP messages over stream-oriented transports MUST ignore any
 * CRLF appearing before the start-line".
 * RFC 5626 §3.5.1 describes the keep-alive as "periodically sending a double-CRLF (the "ping")
 * then waiting to receive a single CRLF (the "pong")".
 */
export class StreamFramer {
  readonly #maxMessageSize: number;
  readonly #maxHeaders: number;
  #buf: Uint8Array;
  /** Pending bytes are `#buf[#start, #end)`. */
  #start = 0;
  #end = 0;
  /** Whether a message has begun (its first byte is at `#start`). */
  #inMessage = false;
  /** Offset from `#start` where the search for the empty line resumes. */
  #scan = 0;
  #headerLines = 0;
  /** Offset from `#start` of the body, once the empty line is found; -1 before. */
  #bodyStart = -1;
  #bodyLength = 0;
  /** A lone CRLF was reported as a pong at the end of a chunk; a CRLF right after makes it a ping. */
  #pongPending = false;
  #failed: SipParseError | undefined;

  constructor(opts: MessageLimits = {}) {
    this.#maxMessageSize = opts.maxMessageSize ?? defaultMaxMessageSize;
    this.#maxHeaders = opts.maxHeaders ?? defaultMaxHeaders;
    this.#buf = new Uint8Array(Math.min(4096, this.#maxMessageSize + 4));
  }

  /** True once a framing error was reported; nothing more will be framed. */
  get failed(): boolean {
    return this.#failed !== undefined;
  }

  /** Bytes received but not yet part of a reported event. */
  get pendingBytes(): number {
    return this.#end - this.#start;
  }

  push(chunk: Uint8Array): FramerEvent[] {
    const events: FramerEvent[] = [];
    if (this.#failed) return events;
    let offset = 0;
    while (offset < chunk.length) {
      offset += this.#fill(chunk, offset);
      this.#drain(events);
      if (this.#failed) return events;
      if (offset < chunk.length && this.#end - this.#start >= this.#capacityLimit()) {
        this.#fail(events, new SipParseError("MESSAGE_TOO_LARGE", `over ${this.#maxMessageSize} bytes`));
        return events;
      }
    }
    return events;
  }

  #capacityLimit(): number {
    return this.#maxMessageSize + 4;
  }

  /** Copies as much of the chunk as the bounded buffer takes; returns the count copied. */
  #fill(chunk: Uint8Array, offset: number): number {
    const pending = this.#end - this.#start;
    if (this.#start > 0 && (pending === 0 || this.#end + (chunk.length - offset) > this.#buf.length)) {
      this.#buf.copyWithin(0, this.#start, this.#end);
      this.#start = 0;
      this.#end = pending;
    }
    const wanted = Math.min(chunk.length - offset, this.#capacityLimit() - pending);
    if (this.#end + wanted > this.#buf.length) {
      let size = this.#buf.length * 2;
      while (size < this.#end + wanted) size *= 2;
      const grown = new Uint8Array(Math.min(size, this.#capacityLimit()));
      grown.set(this.#buf.subarray(0, this.#end));
      this.#buf = grown;
    }
    const take = Math.min(wanted, this.#buf.length - this.#end);
    this.#buf.set(chunk.subarray(offset, offset + take), this.#end);
    this.#end += take;
    return take;
  }

  #drain(events: FramerEvent[]): void {
    for (;;) {
      if (this.#start === this.#end) return;
      if (!this.#inMessage) {
        if (!this.#skipKeepalives(events)) return;
        continue;
      }
      if (this.#bodyStart < 0 && !this.#findHeaderEnd(events)) return;
      if (this.#failed) return;
      const total = this.#bodyStart + this.#bodyLength;
      if (this.#end - this.#start < total) return;
      events.push({ type: "message", bytes: this.#buf.slice(this.#start, this.#start + total) });
      this.#start += total;
      this.#inMessage = false;
      this.#bodyStart = -1;
      this.#scan = 0;
      this.#headerLines = 0;
    }
  }

  /** Consumes CRLFs before a start line; returns false when more bytes are needed. */
  #skipKeepalives(events: FramerEvent[]): boolean {
    const buf = this.#buf;
    const avail = this.#end - this.#start;
    const b0 = buf[this.#start]!;
    if (b0 === LF) {
      // A bare LF between messages carries no keep-alive meaning; it is padding.
      this.#start += 1;
      return true;
    }
    if (b0 !== CR) {
      this.#pongPending = false;
      if (!isTokenByte(b0)) {
        this.#fail(
          events,
          new SipParseError("BAD_START_LINE", "stream does not start with a SIP start line"),
        );
        return false;
      }
      this.#inMessage = true;
      return true;
    }
    if (avail < 2) return false;
    if (buf[this.#start + 1] !== LF) {
      this.#fail(events, new SipParseError("BAD_START_LINE", "stray CR between messages"));
      return false;
    }
    if (this.#pongPending) {
      this.#pongPending = false;
      events.push({ type: "keepalive-ping" });
      this.#start += 2;
      return true;
    }
    if (avail >= 4) {
      if (buf[this.#start + 2] === CR && buf[this.#start + 3] === LF) {
        events.push({ type: "keepalive-ping" });
        this.#start += 4;
        return true;
      }
    } else if (avail === 3 && buf[this.#start + 2] === CR) {
      return false;
    }
    events.push({ type: "keepalive-pong" });
    this.#start += 2;
    this.#pongPending = avail === 2;
    return true;
  }

  /** Scans for the empty line ending the header section; returns false when more bytes are needed. */
  #findHeaderEnd(events: FramerEvent[]): boolean {
    const buf = this.#buf;
    const base = this.#start;
    const avail = this.#end - base;
    let i = this.#scan;
    for (;;) {
      const nl = buf.indexOf(LF, base + i);
      if (nl < 0 || nl >= this.#end) {
        this.#scan = avail;
        return this.#checkHeaderSize(events, avail);
      }
      const rel = nl - base;
      if (rel + 1 >= avail) {
        this.#scan = rel;
        return this.#checkHeaderSize(events, avail);
      }
      const next = buf[nl + 1]!;
      if (next === LF) return this.#headerEnd(events, rel + 2);
      if (next === CR) {
        if (rel + 2 >= avail) {
          this.#scan = rel;
          return false;
        }
        if (buf[nl + 2] === LF) return this.#headerEnd(events, rel + 3);
      }
      if (next !== SP && next !== HTAB && ++this.#headerLines > this.#maxHeaders) {
        this.#fail(
          events,
          new SipParseError("TOO_MANY_HEADERS", `more than ${this.#maxHeaders} header fields`),
        );
        return false;
      }
      i = rel + 1;
    }
  }

  #checkHeaderSize(events: FramerEvent[], size: number): boolean {
    if (size > this.#maxMessageSize) {
      this.#fail(
        events,
        new SipParseError("MESSAGE_TOO_LARGE", `header section over ${this.#maxMessageSize} bytes`),
      );
    }
    return false;
  }

  #headerEnd(events: FramerEvent[], bodyStart: number): boolean {
    let length: number;
    try {
      length = contentLengthOf(this.#buf.subarray(this.#start, this.#start + bodyStart));
    } catch (error) {
      this.#fail(events, error as SipParseError);
      return false;
    }
    if (bodyStart + length > this.#maxMessageSize) {
      this.#fail(events, new SipParseError("MESSAGE_TOO_LARGE", `over ${this.#maxMessageSize} bytes`));
      return false;
    }
    this.#bodyStart = bodyStart;
    this.#bodyLength = length;
    return true;
  }

  #fail(events: FramerEvent[], error: SipParseError): void {
    this.#failed = error;
    this.#buf = new Uint8Array(0);
    this.#start = 0;
    this.#end = 0;
    events.push({ type: "error", error });
  }
}

/** Characters that may begin a start line: a method token or `SIP/2.0`. */
function isTokenByte(b: number): boolean {
  return (
    (b >= 0x41 && b <= 0x5a) ||
    (b >= 0x61 && b <= 0x7a) ||
    (b >= 0x30 && b <= 0x39) ||
    b === 0x2d ||
    b === 0x2e ||
    b === 0x21 ||
    b === 0x25 ||
    b === 0x2a ||
    b === 0x5f ||
    b === 0x2b ||
    b === 0x60 ||
    b === 0x27 ||
    b === 0x7e
  );
}

/**
 * The Content-Length of a header section, 0 when absent.
 *
 * @remarks RFC 3261 §18.3: "In the case of stream-oriented transports such as TCP, the
 * Content-Length header field indicates the size of the body. All stream-oriented transports
 * MUST use Content-Length." A sender that omits it with no body is common enough to accept;
 * with a body the next "start line" is garbage and framing fails there.
 */
function contentLengthOf(head: Uint8Array): number {
  let found: number | undefined;
  let lineStart = head.indexOf(LF) + 1;
  while (lineStart > 0 && lineStart < head.length) {
    const nameEnd = contentLengthNameEnd(head, lineStart);
    let lineEnd = head.indexOf(LF, lineStart);
    while (lineEnd >= 0 && (head[lineEnd + 1] === SP || head[lineEnd + 1] === HTAB)) {
      lineEnd = head.indexOf(LF, lineEnd + 1);
    }
    if (lineEnd < 0) lineEnd = head.length;
    if (nameEnd > 0) {
      const value = digitsBetween(head, nameEnd, lineEnd);
      if (found !== undefined && found !== value) {
        throw new SipParseError("BAD_CONTENT_LENGTH", "conflicting values", "content-length");
      }
      found = value;
    }
    lineStart = lineEnd + 1;
  }
  return found ?? 0;
}

const contentLengthName = "content-length";

/** Offset just past the colon when the line at `at` is a Content-Length (or `l`) field, else -1. */
function contentLengthNameEnd(head: Uint8Array, at: number): number {
  let i = at;
  const first = head[i]! | 0x20;
  if (first === 0x6c) {
    i += 1;
  } else if (first === 0x63) {
    for (let k = 0; k < contentLengthName.length; k++, i++) {
      if ((head[i]! | 0x20) !== contentLengthName.charCodeAt(k)) return -1;
    }
  } else {
    return -1;
  }
  while (head[i] === SP || head[i] === HTAB) i += 1;
  return head[i] === 0x3a ? i + 1 : -1;
}

/** Parses `LWS 1*DIGIT LWS` in `head[from, to)`. */
function digitsBetween(head: Uint8Array, from: number, to: number): number {
  let i = from;
  while (i < to && isLwsByte(head[i]!)) i++;
  const digitsStart = i;
  let value = 0;
  while (i < to && head[i]! >= 0x30 && head[i]! <= 0x39 && i - digitsStart < 15) {
    value = value * 10 + (head[i]! - 0x30);
    i++;
  }
  const digits = i - digitsStart;
  while (i < to && isLwsByte(head[i]!)) i++;
  if (digits === 0 || i !== to) {
    throw new SipParseError("BAD_CONTENT_LENGTH", "not a number", "content-length");
  }
  return value;
}

function isLwsByte(b: number): boolean {
  return b === SP || b === HTAB || b === CR || b === LF;
}
