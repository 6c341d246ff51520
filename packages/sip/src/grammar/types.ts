/**
 * The value types the grammar produces: URIs, name-addr, Via, CSeq and authentication headers.
 * The message layer re-exports them as part of the message model (`message/types.ts`).
 */

/** A parameter list (`;name=value` or `;name`), names compared case-insensitively (stored lower-case). A flag parameter has the value `null`. */
export type Params = Map<string, string | null>;

/** A `sip:` or `sips:` URI (RFC 3261 §19.1). */
export interface SipUri {
  readonly scheme: "sip" | "sips";
  /** Unescaped user part, if any. */
  user?: string;
  /** Unescaped password part, if any (deprecated by the RFC but parsed). */
  password?: string;
  /** Host as written, IPv6 references keep their brackets: `[2001:db8::1]`. */
  host: string;
  port?: number;
  params: Params;
  /** `?name=value&...` URI headers, unescaped. */
  headers: Map<string, string>;
}

/** A `tel:` URI (RFC 3966). */
export interface TelUri {
  readonly scheme: "tel";
  /** The subscriber number, e.g. `+15551234567` or a local number. */
  number: string;
  params: Params;
}

/** Any other absolute URI (RFC 3261 §25.1 absoluteURI), kept as text. */
export interface OtherUri {
  readonly scheme: string;
  readonly other: true;
  /** The whole URI text. */
  text: string;
}

export type Uri = SipUri | TelUri | OtherUri;

/** `display-name <uri>;params` or `uri;params` (From, To, Contact, Route, Record-Route ...). */
export interface NameAddr {
  /** Unquoted, unescaped display name, if one was given. */
  displayName?: string;
  uri: Uri;
  /** Header parameters (after the URI / closing angle bracket), e.g. `tag`, `expires`, `q`. */
  params: Params;
}

/** One Via header value (RFC 3261 §20.42). */
export interface Via {
  /** `SIP/2.0` */
  protocol: string;
  /** Upper-case transport token: UDP, TCP, TLS, SCTP, WS, WSS, or an extension token. */
  transport: string;
  host: string;
  port?: number;
  params: Params;
}

/** The CSeq header (RFC 3261 §20.16). */
export interface CSeq {
  seq: number;
  method: string;
}

/** WWW-Authenticate, Proxy-Authenticate, Authorization, Proxy-Authorization (RFC 3261 §20.7, §20.27, §20.28, §20.44). */
export interface AuthHeader {
  /** Scheme as written, compared case-insensitively, e.g. `Digest`. */
  scheme: string;
  /** Auth parameters, names lower-cased, quoted values unquoted and unescaped. */
  params: Map<string, string>;
}
