/**
 * Why a SIP message or header value was rejected. Each code names one kind of defect so that
 * callers (and tests) can tell them apart without reading the prose.
 */
export type SipParseErrorCode =
  | "EMPTY_MESSAGE"
  | "TRUNCATED"
  | "MESSAGE_TOO_LARGE"
  | "TOO_MANY_HEADERS"
  | "BAD_UTF8"
  | "BAD_START_LINE"
  | "BAD_METHOD"
  | "BAD_VERSION"
  | "BAD_STATUS"
  | "BAD_HEADER"
  | "BAD_URI"
  | "BAD_NAME_ADDR"
  | "BAD_PARAMS"
  | "BAD_QUOTED_STRING"
  | "BAD_VIA"
  | "BAD_CSEQ"
  | "BAD_CALL_ID"
  | "BAD_MAX_FORWARDS"
  | "BAD_EXPIRES"
  | "BAD_CONTENT_LENGTH"
  | "CONTENT_LENGTH_MISMATCH"
  | "BAD_AUTH"
  | "BAD_DATE"
  | "CSEQ_METHOD_MISMATCH"
  | "MISSING_HEADER";

const reasons: Record<SipParseErrorCode, string> = {
  EMPTY_MESSAGE: "Empty Message",
  TRUNCATED: "Truncated Message",
  MESSAGE_TOO_LARGE: "Message Too Large",
  TOO_MANY_HEADERS: "Too Many Header Fields",
  BAD_UTF8: "Invalid UTF-8",
  BAD_START_LINE: "Malformed Start Line",
  BAD_METHOD: "Malformed Method",
  BAD_VERSION: "Version Not Supported",
  BAD_STATUS: "Malformed Status Code",
  BAD_HEADER: "Malformed Header Field",
  BAD_URI: "Malformed URI",
  BAD_NAME_ADDR: "Malformed Address",
  BAD_PARAMS: "Malformed Parameters",
  BAD_QUOTED_STRING: "Malformed Quoted String",
  BAD_VIA: "Malformed Via",
  BAD_CSEQ: "Malformed CSeq",
  BAD_CALL_ID: "Malformed Call-ID",
  BAD_MAX_FORWARDS: "Malformed Max-Forwards",
  BAD_EXPIRES: "Malformed Expires",
  BAD_CONTENT_LENGTH: "Malformed Content-Length",
  CONTENT_LENGTH_MISMATCH: "Content-Length Mismatch",
  BAD_AUTH: "Malformed Authentication Header",
  BAD_DATE: "Malformed Date",
  CSEQ_METHOD_MISMATCH: "CSeq Method Mismatch",
  MISSING_HEADER: "Missing Header Field",
};

/**
 * Thrown by every parser in `@zaqros/sip` for malformed input, and never anything else: a
 * caller that catches `SipParseError` has caught every way bad bytes can fail.
 *
 * `reason` is short, fixed per code and safe to send as the reason phrase of a response;
 * `message` may carry detail (it never echoes more than a few characters of the input).
 */
export class SipParseError extends Error {
  override readonly name = "SipParseError";
  readonly code: SipParseErrorCode;
  /** A reason phrase for the response, e.g. `Malformed Via`. */
  readonly reason: string;
  /**
   * The status code a server should answer with, when it can answer at all.
   *
   * @remarks RFC 3261 §21.5.6: 505 Version Not Supported: "The server does not support, or
   * refuses to support, the SIP protocol version that was used in the request." §21.5.14: 513
   * Message Too Large: "The server was unable to process the request since the message length
   * exceeded its capabilities." Everything else is a 400 Bad Request (§21.4.1).
   */
  readonly status: 400 | 505 | 513;
  /** The header field involved, when there is one (canonical lower-case long name). */
  readonly header: string | undefined;
  /** What exactly was wrong, for logs. */
  readonly detail: string | undefined;

  constructor(code: SipParseErrorCode, detail?: string, header?: string) {
    const reason = reasons[code];
    super(`${reason}${header ? ` in ${header}` : ""}${detail ? `: ${detail}` : ""}`);
    this.code = code;
    this.reason = reason;
    this.header = header;
    this.detail = detail;
    this.status = code === "BAD_VERSION" ? 505 : code === "MESSAGE_TOO_LARGE" ? 513 : 400;
  }

  /** The same error, naming the header field it was found in (when it does not already). */
  inHeader(header: string): SipParseError {
    return this.header === undefined ? new SipParseError(this.code, this.detail, header) : this;
  }
}

/** Every code with its fixed reason phrase, for documentation and catalogue tests. */
export const sipParseErrorReasons: Readonly<Record<SipParseErrorCode, string>> = reasons;
