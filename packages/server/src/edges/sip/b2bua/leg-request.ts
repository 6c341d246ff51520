import { createRequest, type NameAddr, type SipRequest, type Uri } from "@zaqros/sip";
import { userOf } from "../uri-parts.ts";

/**
 * Every header a B-leg INVITE may carry. Nothing of the A-leg is copied wholesale: the B2BUA
 * writes each of these itself, so no internal address, user agent or route of the caller's side
 * reaches the other side (topology hiding).
 */
export const B_LEG_HEADER_ALLOWLIST = new Set([
  "via",
  "max-forwards",
  "to",
  "from",
  "call-id",
  "cseq",
  "contact",
  "allow",
  "content-type",
  "content-length",
  "p-asserted-identity",
  "privacy",
  "authorization",
  "proxy-authorization",
]);

export const ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE";

export interface CallerIdentity {
  /** E.164 number or SIP user to present. */
  user: string;
  displayName?: string | undefined;
  /**
   * The caller asked to hide their identity (RFC 3323 `Privacy: id` or `header`, or an
   * anonymous From).
   */
  anonymous: boolean;
}

export interface LegRequestInit {
  requestUri: Uri | string;
  to: NameAddr;
  caller: CallerIdentity;
  /** Our SIP domain or public host: the host part of the identities we assert. */
  domain: string;
  /** Our contact for this leg. */
  contact: NameAddr;
  /** The A-leg's Max-Forwards, decremented. */
  maxForwards: number;
  sdp?: string | undefined;
  /** Assert the caller's identity with P-Asserted-Identity (towards a trusted carrier). */
  assertIdentity: boolean;
}

/** Reads whether the A-leg asked for privacy (RFC 3323 §4.2) or presented itself as anonymous. */
export function wantsPrivacy(request: SipRequest): boolean {
  const privacy = request.headers
    .getRaw("privacy")
    .flatMap((v) => v.split(";"))
    .map((v) => v.trim().toLowerCase());
  if (privacy.includes("id") || privacy.includes("header") || privacy.includes("user")) return true;
  try {
    return userOf(request.headers.from().uri)?.toLowerCase() === "anonymous";
  } catch {
    return false;
  }
}

/**
 * Builds a fresh INVITE for the other leg: new Call-ID, new tags, CSeq 1, only allowlisted headers.
 *
 * @remarks RFC 3325 §9.1: P-Asserted-Identity carries the network-asserted identity within a
 * trust domain. RFC 3323 §4.1.1.1: when the user asks for privacy, "the From header ... SHOULD
 * be "Anonymous" <sip:anonymous@anonymous.invalid>" and `Privacy: id` asks the next trusted hop
 * not to pass the asserted identity beyond the trust domain.
 */
export function createLegInvite(init: LegRequestInit): SipRequest {
  const asserted = `<sip:${init.caller.user}@${init.domain}>`;
  const from: NameAddr = init.caller.anonymous
    ? {
        displayName: "Anonymous",
        uri: {
          scheme: "sip",
          user: "anonymous",
          host: "anonymous.invalid",
          params: new Map(),
          headers: new Map(),
        },
        params: new Map(),
      }
    : {
        ...(init.caller.displayName ? { displayName: init.caller.displayName } : {}),
        uri: {
          scheme: "sip",
          user: init.caller.user,
          host: init.domain,
          params: new Map(),
          headers: new Map(),
        },
        params: new Map(),
      };
  const headers: Array<[string, string]> = [["Allow", ALLOW]];
  if (init.assertIdentity) headers.push(["P-Asserted-Identity", asserted]);
  if (init.caller.anonymous) headers.push(["Privacy", "id"]);
  return createRequest({
    method: "INVITE",
    uri: init.requestUri,
    from,
    to: init.to,
    maxForwards: init.maxForwards,
    contact: init.contact,
    headers,
    ...(init.sdp ? { body: init.sdp, contentType: "application/sdp" } : {}),
  });
}
