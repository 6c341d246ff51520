import { trimWsp } from "../grammar/charset.ts";
import { splitHeaderList } from "../grammar/list-split.ts";
import { SipParseError } from "../grammar/sip-parse-error.ts";
import type { SipRequest } from "./types.ts";

/** Why a request must be refused, as the response to send. */
export interface CheckFailure {
  status: number;
  reason: string;
  /** Header fields the response must carry, e.g. `Unsupported` with a 420. */
  extraHeaders?: Array<[name: string, value: string]>;
}

export interface RequestCheckOptions {
  /**
   * `uas` (default) answers requests itself; `proxy` forwards them, which changes the checks
   * (§16.3 instead of §8.2). A B2BUA that relays calls should check as a proxy would for
   * Max-Forwards and Proxy-Require, and as a UAS for the rest: run both sets.
   */
  role?: "uas" | "proxy";
  /** Apply the registrar's checks to REGISTER requests (RFC 3261 §10.2). */
  registrar?: boolean;
  /** Request-URI schemes served. Default: sip, sips. */
  supportedUriSchemes?: readonly string[];
  /** Option tags understood (Require / Proxy-Require). Default: none. */
  supportedExtensions?: readonly string[];
  /** Body types understood. Default: application/sdp. */
  supportedContentTypes?: readonly string[];
  /** Content codings understood besides identity. Default: none. */
  supportedContentEncodings?: readonly string[];
  /** Methods served; when given, others get 405 with an Allow header. */
  allowedMethods?: readonly string[];
  /** Body types a 2xx to INVITE will carry, checked against Accept. Default: application/sdp. */
  answerBodyTypes?: readonly string[];
}

const defaults = {
  supportedUriSchemes: ["sip", "sips"],
  supportedExtensions: [],
  supportedContentTypes: ["application/sdp"],
  supportedContentEncodings: [],
  answerBodyTypes: ["application/sdp"],
} as const satisfies RequestCheckOptions;

const fail = (status: number, reason: string, extraHeaders?: Array<[string, string]>): CheckFailure =>
  extraHeaders ? { status, reason, extraHeaders } : { status, reason };

/**
 * Runs the request checks of RFC 3261 §8.2 (UAS) or §16.3 (proxy) in the order the RFC lists
 * them and returns the first failure, or null when the request may be processed.
 * A malformed header met on the way is a 400 with the parse error's reason phrase.
 */
export function checkRequest(request: SipRequest, opts: RequestCheckOptions = {}): CheckFailure | null {
  const checks = opts.role === "proxy" ? proxyChecks : uasChecks;
  try {
    for (const check of checks) {
      const failure = check(request, opts);
      if (failure) return failure;
    }
  } catch (error) {
    if (error instanceof SipParseError) return fail(error.status, error.reason);
    throw error;
  }
  return null;
}

const mandatoryHeaders = ["to", "from", "cseq", "call-id", "via"] as const;

/**
 * Mandatory header fields are present and well formed.
 *
 * @remarks RFC 3261 §8.1.1: "A valid SIP request formulated by a UAC MUST, at a minimum,
 * contain the following header fields: To, From, CSeq, Call-ID, Max-Forwards, and Via".
 * Max-Forwards is not demanded: RFC 4475 §3.4.1 asks that an RFC 2543 request without it be
 * accepted, and §16.6 has a proxy add one. (RFC 4475 §3.3.1 lacks To, From and Call-ID.)
 */
export function rfc3261_8_1_1(request: SipRequest): CheckFailure | null {
  const headers = request.headers;
  for (const name of mandatoryHeaders)
    if (!headers.has(name)) return fail(400, "Missing Required Header Fields");
  headers.to();
  headers.from();
  headers.cseq();
  headers.callId();
  if (headers.via().length === 0) return fail(400, "Missing Required Header Fields");
  headers.maxForwards();
  return null;
}

const singleValueHeaders = [
  "to",
  "from",
  "call-id",
  "cseq",
  "max-forwards",
  "content-length",
  "content-type",
];

/**
 * Single-valued header fields appear once.
 *
 * @remarks RFC 3261 §7.3.1: "Multiple header field rows with the same field-name MAY be
 * present in a message if and only if the entire field-value for that header field is defined
 * as a comma-separated list". RFC 4475 §3.3.8 repeats To, From, Call-ID and CSeq and
 * expects a 400.
 */
export function rfc3261_7_3_1(request: SipRequest): CheckFailure | null {
  const headers = request.headers;
  for (const name of singleValueHeaders) {
    if (headers.count(name) > 1) return fail(400, "Multiple Values in Single-Value Header");
  }
  return null;
}

/**
 * The CSeq method is the request method.
 *
 * @remarks RFC 3261 §8.1.1.5: "The method MUST match that of the request."
 */
export function rfc3261_8_1_1_5(request: SipRequest): CheckFailure | null {
  return request.headers.cseq().method === request.method ? null : fail(400, "CSeq Method Mismatch");
}

/** Methods defined by RFC 3261 and its extensions: an element "recognizes" these. */
const knownMethods = new Set([
  "INVITE",
  "ACK",
  "BYE",
  "CANCEL",
  "OPTIONS",
  "REGISTER",
  "PRACK",
  "SUBSCRIBE",
  "NOTIFY",
  "PUBLISH",
  "INFO",
  "REFER",
  "MESSAGE",
  "UPDATE",
]);

/**
 * The method is one this UAS serves.
 *
 * @remarks RFC 3261 §8.2.1: "If a UAS recognizes but does not support the method of a request,
 * it MUST generate a 405 (Method Not Allowed) response. ... The UAS MUST also add an Allow
 * header field to the 405 (Method Not Allowed) response." §21.5.2: 501 Not Implemented "is
 * the appropriate response when a UAS does not recognize the request method and is not
 * capable of supporting it for any user."
 */
export function rfc3261_8_2_1(request: SipRequest, o: RequestCheckOptions = {}): CheckFailure | null {
  if (!o.allowedMethods || request.method === "ACK" || o.allowedMethods.includes(request.method)) return null;
  if (!knownMethods.has(request.method)) return fail(501, "Not Implemented");
  return fail(405, "Method Not Allowed", [["Allow", o.allowedMethods.join(", ")]]);
}

/**
 * The Request-URI scheme is one this element serves.
 *
 * @remarks RFC 3261 §8.2.2.1: "If the Request-URI uses a scheme not supported by the UAS, it
 * SHOULD reject the request with a 416 (Unsupported URI Scheme) response." §16.3 step 2 says
 * the same of a proxy. (RFC 4475 §3.3.2 and §3.3.3.)
 */
export function rfc3261_8_2_2_1(request: SipRequest, o: RequestCheckOptions = {}): CheckFailure | null {
  return (o.supportedUriSchemes ?? defaults.supportedUriSchemes).includes(request.uri.scheme)
    ? null
    : fail(416, "Unsupported URI Scheme");
}

function unsupportedTags(values: string[], supported: readonly string[]): string[] {
  const known = new Set(supported.map((tag) => tag.toLowerCase()));
  return values.filter((tag) => !known.has(tag.toLowerCase()));
}

/**
 * Every option tag in Require is understood.
 *
 * @remarks RFC 3261 §8.2.2.3: "If a UAS does not understand an option-tag listed in a Require
 * header field, it MUST respond by generating a response with status code 420 (Bad
 * Extension). The UAS MUST add an Unsupported header field, and list in it those options it
 * does not understand amongst those in the Require header field of the request." and
 * "Require and Proxy-Require MUST NOT be used in a SIP CANCEL request, or in an ACK request
 * sent for a non-2xx response. These header fields MUST be ignored if they are present in
 * these requests." (RFC 4475 §3.3.5.)
 */
export function rfc3261_8_2_2_3(request: SipRequest, o: RequestCheckOptions = {}): CheckFailure | null {
  if (request.method === "ACK" || request.method === "CANCEL") return null;
  const unknown = unsupportedTags(
    listOf(request, "require"),
    o.supportedExtensions ?? defaults.supportedExtensions,
  );
  return unknown.length === 0 ? null : fail(420, "Bad Extension", [["Unsupported", unknown.join(", ")]]);
}

/**
 * Every option tag in Proxy-Require is understood by this proxy.
 *
 * @remarks RFC 3261 §16.3 step 5: "If the request contains a Proxy-Require header field
 * (Section 20.29) with one or more option-tags this element does not understand, the element
 * MUST return a 420 (Bad Extension) response. The response MUST include an Unsupported
 * (Section 20.40) header field listing those option-tags the element did not understand."
 */
export function rfc3261_16_3_5(request: SipRequest, o: RequestCheckOptions = {}): CheckFailure | null {
  if (request.method === "ACK" || request.method === "CANCEL") return null;
  const unknown = unsupportedTags(
    listOf(request, "proxy-require"),
    o.supportedExtensions ?? defaults.supportedExtensions,
  );
  return unknown.length === 0 ? null : fail(420, "Bad Extension", [["Unsupported", unknown.join(", ")]]);
}

/**
 * The request has hops left.
 *
 * @remarks RFC 3261 §16.3 step 3: "If the request contains a Max-Forwards header field with a
 * field value of zero (0), the element MUST NOT forward the request. If the request was for
 * OPTIONS, the element MAY act as the final recipient and respond per Section 11. Otherwise,
 * the element MUST return a 483 (Too many hops) response." (RFC 4475 §3.3.11: a UAS
 * processes such a request normally, so this check is a proxy's only.)
 */
export function rfc3261_16_3_3(request: SipRequest): CheckFailure | null {
  return request.headers.maxForwards() === 0 ? fail(483, "Too Many Hops") : null;
}

/** `type/subtype` of a media type, lower-cased, without parameters. */
function mediaType(value: string): string {
  const semi = value.indexOf(";");
  return trimWsp(semi < 0 ? value : value.slice(0, semi)).toLowerCase();
}

/**
 * The body is of a type and encoding this UAS understands.
 *
 * @remarks RFC 3261 §8.2.3: "If there are any bodies whose type (indicated by the
 * Content-Type), language (indicated by the Content-Language) or encoding (indicated by the
 * Content-Encoding) are not understood, and that body part is not optional (as indicated by
 * the Content-Disposition header field), the UAS MUST reject the request with a 415
 * (Unsupported Media Type) response. The response MUST contain an Accept header field
 * listing the types of all bodies it understands, in the event the request contained bodies
 * of types not supported by the UAS. If the request contained content encodings not
 * understood by the UAS, the response MUST contain an Accept-Encoding header field listing
 * the encodings understood by the UAS." (RFC 4475 §3.3.6.) Languages are not checked: a
 * body in any language is processed the same way here.
 */
export function rfc3261_8_2_3(request: SipRequest, o: RequestCheckOptions = {}): CheckFailure | null {
  if (request.body.length === 0) return null;
  const disposition = request.headers.first("content-disposition");
  if (disposition !== undefined && /;\s*handling\s*=\s*optional\b/i.test(disposition)) return null;
  const contentType = request.headers.first("content-type");
  if (contentType === undefined) return fail(400, "Missing Content-Type");
  const types = o.supportedContentTypes ?? defaults.supportedContentTypes;
  if (!types.some((t) => t.toLowerCase() === mediaType(contentType))) {
    return fail(415, "Unsupported Media Type", [["Accept", types.join(", ")]]);
  }
  const encodings = o.supportedContentEncodings ?? defaults.supportedContentEncodings;
  const codings = unsupportedTags(
    listOf(request, "content-encoding").filter((c) => c.toLowerCase() !== "identity"),
    encodings,
  );
  if (codings.length > 0) {
    return fail(415, "Unsupported Media Type", [["Accept-Encoding", encodings.join(", ") || "identity"]]);
  }
  return null;
}

function accepts(range: string, type: string): boolean {
  const wanted = mediaType(range);
  if (wanted === "*/*" || wanted === type) return true;
  return wanted.endsWith("/*") && type.startsWith(wanted.slice(0, -1));
}

/**
 * The caller accepts the body a 2xx to its INVITE must carry.
 *
 * @remarks RFC 3261 §21.4.7: 406 Not Acceptable: "The resource identified by the request is
 * only capable of generating response entities that have content characteristics not
 * acceptable according to the Accept header field sent in the request." RFC 3261 §20.1: "If
 * no Accept header field is present, the server SHOULD assume a default value of
 * application/sdp." (RFC 4475 §3.3.15 accepts only `text/nobodyKnowsThis`.)
 */
export function rfc3261_21_4_7(request: SipRequest, o: RequestCheckOptions = {}): CheckFailure | null {
  if (request.method !== "INVITE" || !request.headers.has("accept")) return null;
  const ranges = listOf(request, "accept");
  const acceptable = (o.answerBodyTypes ?? defaults.answerBodyTypes).some((type) =>
    ranges.some((range) => accepts(range, type.toLowerCase())),
  );
  return acceptable ? null : fail(406, "Not Acceptable");
}

/**
 * A REGISTER names a SIP or SIPS address-of-record.
 *
 * @remarks RFC 3261 §10.2: "This address-of-record MUST be a SIP URI or SIPS URI." RFC 4475
 * §3.3.4: "A registrar would reject this request with a 400 Bad Request response, since the
 * To: header field is required to contain a SIP or SIPS URI as an AOR."
 */
export function rfc3261_10_2(request: SipRequest, o: RequestCheckOptions = {}): CheckFailure | null {
  if (!o.registrar || request.method !== "REGISTER") return null;
  const scheme = request.headers.to().uri.scheme;
  return scheme === "sip" || scheme === "sips" ? null : fail(400, "To Must Be a SIP or SIPS URI");
}

function listOf(request: SipRequest, name: string): string[] {
  const out: string[] = [];
  for (const raw of request.headers.getRaw(name)) {
    for (const item of splitHeaderList(raw)) if (item !== "") out.push(item);
  }
  return out;
}

type Check = (request: SipRequest, opts: RequestCheckOptions) => CheckFailure | null;

/** The checks in the order RFC 3261 lists them, for each role (see checkRequest). */
const proxyChecks: readonly Check[] = [
  rfc3261_8_1_1,
  rfc3261_7_3_1,
  rfc3261_8_1_1_5,
  rfc3261_8_2_2_1,
  rfc3261_16_3_3,
  rfc3261_16_3_5,
];
const uasChecks: readonly Check[] = [
  rfc3261_8_1_1,
  rfc3261_7_3_1,
  rfc3261_8_1_1_5,
  rfc3261_8_2_1,
  rfc3261_8_2_2_1,
  rfc3261_8_2_2_3,
  rfc3261_8_2_3,
  rfc3261_21_4_7,
  rfc3261_10_2,
];
