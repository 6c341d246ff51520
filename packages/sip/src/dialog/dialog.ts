import { randomInt } from "node:crypto";
import { formatCSeq } from "../grammar/cseq.ts";
import { formatNameAddr } from "../grammar/name-addr.ts";
import { formatUri } from "../grammar/uri.ts";
import { bodyBytes } from "../message/body-text.ts";
import { Headers } from "../message/headers.ts";
import { generateBranch } from "../message/identifiers.ts";
import type { NameAddr, SipRequest, SipResponse, Uri } from "../message/types.ts";
import type { DialogId } from "./dialog-id.ts";

/**
 * States of a dialog.
 *
 * ```
 *     101-199 with To tag            2xx
 *   ----------------------> early ----------> confirmed
 *   |                         |                   |
 *   | 2xx                     | non-2xx final     | BYE, or 481/408 to
 *   +-------------------------|-----------------> | an in-dialog request
 *                  (confirmed)| or 64*T1 after    | (the TU decides)
 *                             | the first 2xx     |
 *                             V                   V
 *                          terminated <-----------+
 * ```
 *
 * @remarks RFC 3261 §12: "A dialog can also be in the "early" state, which occurs when it is
 * created with a provisional response, and then transition to the "confirmed" state when a 2xx
 * final response arrives. For other responses, or if no response arrives at all on that dialog,
 * the early dialog terminates."
 */
export type DialogState = "early" | "confirmed" | "terminated";

/** Whether this UA sent (UAC) or received (UAS) the request that created the dialog. */
export type DialogRole = "uac" | "uas";

/** Where the UA sends from: the top Via of a request is built from it with a fresh branch. */
export interface ViaTemplate {
  /** Upper-case transport token: UDP, TCP, TLS, WS, WSS. */
  readonly transport: string;
  readonly host: string;
  readonly port?: number;
}

/** What a caller may add to a request built inside a dialog. */
export interface InDialogRequestOptions {
  /** Adds the top Via (with a new branch). Without it the caller adds the Via itself. */
  readonly via?: ViaTemplate;
  /** Default 70. */
  readonly maxForwards?: number;
  /** Further header fields, appended in order. */
  readonly headers?: Iterable<readonly [name: string, value: string]>;
  readonly body?: Uint8Array | string;
  /** Required with a non-empty body. */
  readonly contentType?: string;
}

/** Why an in-dialog request must be refused. */
export interface DialogRejection {
  readonly status: 500;
  readonly reason: string;
}

/**
 * Methods whose requests (and 2xx responses) replace the remote target.
 *
 * @remarks RFC 3261 §12.2: "For dialogs that have been established with an INVITE, the only
 * target refresh request defined is re-INVITE (see Section 14). Other extensions may define
 * different target refresh requests for dialogs established in other ways." RFC 3311 §5.1 makes
 * UPDATE one: "UPDATE is a target refresh request."
 */
const targetRefreshMethods: ReadonlySet<string> = new Set(["INVITE", "UPDATE"]);

/** URI parameters a Request-URI may not carry (RFC 3261 §19.1.1, Table 1). */
const paramsNotAllowedInRequestUri = ["method"];

interface DialogInit {
  role: DialogRole;
  state: DialogState;
  id: DialogId;
  localSeq: number | undefined;
  remoteSeq: number | undefined;
  localAddress: NameAddr;
  remoteAddress: NameAddr;
  remoteTarget: Uri;
  secure: boolean;
  routeSet: readonly NameAddr[];
  localContact: NameAddr | undefined;
}

/**
 * The state of one dialog (RFC 3261 §12) and the requests built from it.
 *
 * @remarks RFC 3261 §12: "This state consists of the dialog ID, a local sequence number (used to
 * order requests from the UA to its peer), a remote sequence number (used to order requests from
 * its peer to the UA), a local URI, a remote URI, remote target, a boolean flag called "secure",
 * and a route set, which is an ordered list of URIs."
 */
export class Dialog {
  readonly role: DialogRole;
  readonly id: DialogId;
  /** The local URI (with the display name it was written with, without the tag). */
  readonly localAddress: NameAddr;
  /** The remote URI (with the display name it was written with, without the tag). */
  readonly remoteAddress: NameAddr;
  readonly secure: boolean;
  /** The Contact this UA puts in target refresh requests; change it when the local address changes. */
  localContact: NameAddr | undefined;
  #state: DialogState;
  #localSeq: number | undefined;
  #remoteSeq: number | undefined;
  #remoteTarget: Uri;
  #routeSet: readonly NameAddr[];

  private constructor(init: DialogInit) {
    this.role = init.role;
    this.id = init.id;
    this.localAddress = init.localAddress;
    this.remoteAddress = init.remoteAddress;
    this.secure = init.secure;
    this.localContact = init.localContact;
    this.#state = init.state;
    this.#localSeq = init.localSeq;
    this.#remoteSeq = init.remoteSeq;
    this.#remoteTarget = init.remoteTarget;
    this.#routeSet = init.routeSet;
  }

  /**
   * The dialog a UAC builds from a 101-199 (early) or 2xx (confirmed) response to its request.
   *
   * @remarks RFC 3261 §12.1.2: "The route set MUST be set to the list of URIs in the Record-Route
   * header field from the response, taken in reverse order and preserving all URI parameters.
   * ... The remote target MUST be set to the URI from the Contact header field of the response.
   * The local sequence number MUST be set to the value of the sequence number in the CSeq header
   * field of the request. The remote sequence number MUST be empty ... The local tag component of
   * the dialog ID MUST be set to the tag in the From field in the request, and the remote tag
   * component of the dialog ID MUST be set to the tag in the To field of the response." / "If the
   * request was sent over TLS, and the Request-URI contained a SIPS URI, the "secure" flag is set
   * to TRUE." (A SIPS Request-URI is only ever sent over TLS.)
   */
  static createUac(request: SipRequest, response: SipResponse): Dialog {
    const from = request.headers.from();
    const to = response.headers.to();
    return new Dialog({
      role: "uac",
      state: response.status >= 200 ? "confirmed" : "early",
      id: {
        callId: request.headers.callId(),
        localTag: from.params.get("tag") ?? undefined,
        remoteTag: to.params.get("tag") ?? undefined,
      },
      localSeq: request.headers.cseq().seq,
      remoteSeq: undefined,
      localAddress: withoutTag(from),
      remoteAddress: withoutTag(to),
      remoteTarget: contactUri(response) ?? request.uri,
      secure: request.uri.scheme === "sips",
      routeSet: [...response.headers.recordRoute()].reverse(),
      localContact: firstContact(request),
    });
  }

  /**
   * The dialog a UAS builds when it answers a request with a 101-199 (early) or 2xx (confirmed)
   * response carrying a To tag.
   *
   * @remarks RFC 3261 §12.1.1: "The route set MUST be set to the list of URIs in the Record-Route
   * header field from the request, taken in order and preserving all URI parameters. ... The
   * remote target MUST be set to the URI from the Contact header field of the request. The remote
   * sequence number MUST be set to the value of the sequence number in the CSeq header field of
   * the request. The local sequence number MUST be empty. ... The local tag component of the
   * dialog ID MUST be set to the tag in the To field in the response to the request (which always
   * includes a tag), and the remote tag component of the dialog ID MUST be set to the tag from the
   * From field in the request."
   */
  static createUas(request: SipRequest, response: SipResponse): Dialog {
    const from = request.headers.from();
    const to = response.headers.to();
    const localTag = to.params.get("tag");
    if (!localTag)
      throw new TypeError("a response that creates a dialog carries a To tag (RFC 3261 §12.1.1)");
    return new Dialog({
      role: "uas",
      state: response.status >= 200 ? "confirmed" : "early",
      id: { callId: request.headers.callId(), localTag, remoteTag: from.params.get("tag") ?? undefined },
      localSeq: undefined,
      remoteSeq: request.headers.cseq().seq,
      localAddress: withoutTag(to),
      remoteAddress: withoutTag(from),
      remoteTarget: contactUri(request) ?? request.uri,
      secure: request.uri.scheme === "sips",
      routeSet: request.headers.recordRoute(),
      localContact: firstContact(response),
    });
  }

  get state(): DialogState {
    return this.#state;
  }

  /** The CSeq number of the last request this UA sent in the dialog; undefined while empty. */
  get localSeq(): number | undefined {
    return this.#localSeq;
  }

  /** The CSeq number of the last request the peer sent in the dialog; undefined while empty. */
  get remoteSeq(): number | undefined {
    return this.#remoteSeq;
  }

  /** Where requests in the dialog go: the peer's Contact. */
  get remoteTarget(): Uri {
    return this.#remoteTarget;
  }

  /** The proxies requests in the dialog traverse, in order. */
  get routeSet(): readonly NameAddr[] {
    return this.#routeSet;
  }

  /**
   * Early to confirmed on a 2xx. For a UAC the route set is recomputed from the 2xx, and the
   * remote target taken from its Contact.
   *
   * @remarks RFC 3261 §13.2.2.4: "If the dialog identifier in the 2xx response matches the
   * dialog identifier of an existing dialog, the dialog MUST be transitioned to the "confirmed"
   * state, and the route set for the dialog MUST be recomputed based on the 2xx response using
   * the procedures of Section 12.2.1.2." The remote target follows the 2xx's Contact because
   * §12.1.1 has the UAS put there "an address where the UAS would like to be contacted for
   * subsequent requests in the dialog (which includes the ACK for a 2xx response".
   */
  confirm(response?: SipResponse): void {
    if (this.#state === "terminated") throw new Error("a terminated dialog cannot be confirmed");
    this.#state = "confirmed";
    if (this.role === "uac" && response !== undefined) {
      this.#routeSet = [...response.headers.recordRoute()].reverse();
      const target = contactUri(response);
      if (target !== undefined) this.#remoteTarget = target;
    }
  }

  terminate(): void {
    this.#state = "terminated";
  }

  /**
   * Checks and applies a request the peer sent in this dialog: the CSeq order, then the remote
   * target of a target refresh request.
   *
   * @returns undefined when the request may be processed, or the 500 it must be answered with (the
   * dialog is left unchanged).
   * @remarks RFC 3261 §12.2.2: "If the remote sequence number was not empty, but the sequence
   * number of the request is lower than the remote sequence number, the request is out of order
   * and MUST be rejected with a 500 (Server Internal Error) response." / "When a UAS receives a
   * target refresh request, it MUST replace the dialog's remote target URI with the URI from the
   * Contact header field in that request, if present." A number equal to the last one is refused
   * too: §12.2.1.1 requires "strictly monotonically increasing" numbers, and a retransmission
   * never reaches the dialog (its transaction absorbs it). ACK and CANCEL carry the number of the
   * request they belong to and are not checked.
   */
  receiveRequest(request: SipRequest): DialogRejection | undefined {
    if (request.method === "ACK" || request.method === "CANCEL") return undefined;
    const rejection = rfc3261_12_2_2(this.#remoteSeq, request);
    if (rejection !== undefined) return rejection;
    this.#remoteSeq = request.headers.cseq().seq;
    if (targetRefreshMethods.has(request.method)) {
      const target = contactUri(request);
      if (target !== undefined) this.#remoteTarget = target;
    }
    return undefined;
  }

  /**
   * Applies a response to a request this UA sent in the dialog.
   *
   * @returns true when the UAC should now end the dialog (481 or 408).
   * @remarks RFC 3261 §12.2.1.2: "When a UAC receives a 2xx response to a target refresh request,
   * it MUST replace the dialog's remote target URI with the URI from the Contact header field in
   * that response, if present." / "If the response for a request within a dialog is a 481
   * (Call/Transaction Does Not Exist) or a 408 (Request Timeout), the UAC SHOULD terminate the
   * dialog."
   */
  receiveResponse(request: SipRequest, response: SipResponse): boolean {
    const status = response.status;
    if (status >= 200 && status < 300 && targetRefreshMethods.has(request.method)) {
      const target = contactUri(response);
      if (target !== undefined) this.#remoteTarget = target;
    }
    return status === 481 || status === 408;
  }

  /**
   * A new request inside the dialog (BYE, re-INVITE, UPDATE, INFO ...); takes the next local
   * CSeq number. ACK and CANCEL have their own builders.
   *
   * @remarks RFC 3261 §12.2.1.1: "The URI in the To field of the request MUST be set to the
   * remote URI from the dialog state. The tag in the To header field of the request MUST be set to
   * the remote tag of the dialog ID. The From URI of the request MUST be set to the local URI from
   * the dialog state. The tag in the From header field of the request MUST be set to the local tag
   * of the dialog ID. If the value of the remote or local tags is null, the tag parameter MUST be
   * omitted from the To or From header fields, respectively." / "if the local sequence number is
   * not empty, the value of the local sequence number MUST be incremented by one, and this value
   * MUST be placed into the CSeq header field. If the local sequence number is empty, an initial
   * value MUST be chosen using the guidelines of Section 8.1.1.5." / "A UAC SHOULD include a
   * Contact header field in any target refresh requests within a dialog".
   */
  createRequest(method: string, options: InDialogRequestOptions = {}): SipRequest {
    if (method === "ACK" || method === "CANCEL") {
      throw new TypeError(
        `${method} takes the CSeq number of another request; use createAck or createCancel`,
      );
    }
    if (this.#state === "terminated") throw new Error("no requests are sent in a terminated dialog");
    const seq = this.#localSeq === undefined ? initialSeq() : this.#localSeq + 1;
    this.#localSeq = seq;
    const contact = targetRefreshMethods.has(method) ? this.localContact : undefined;
    return this.#build(method, seq, options, contact, []);
  }

  createBye(options: InDialogRequestOptions = {}): SipRequest {
    return this.createRequest("BYE", options);
  }

  /** A re-INVITE (RFC 3261 §14.1): a target refresh request, so it carries the local Contact. */
  createReInvite(options: InDialogRequestOptions = {}): SipRequest {
    return this.createRequest("INVITE", options);
  }

  /** An UPDATE (RFC 3311): a target refresh request, so it carries the local Contact. */
  createUpdate(options: InDialogRequestOptions = {}): SipRequest {
    return this.createRequest("UPDATE", options);
  }

  /**
   * The ACK for a 2xx response to `invite` (the initial INVITE or a re-INVITE of this dialog).
   * Send it straight to the transport, and again for each retransmission of the 2xx.
   *
   * @remarks RFC 3261 §13.2.2.4: "The header fields of the ACK are constructed in the same way as
   * for any request sent within a dialog (see Section 12) with the exception of the CSeq and the
   * header fields related to authentication. The sequence number of the CSeq header field MUST be
   * the same as the INVITE being acknowledged, but the CSeq method MUST be ACK. The ACK MUST
   * contain the same credentials as the INVITE. If the 2xx contains an offer (based on the rules
   * above), the ACK MUST carry an answer in its body."
   */
  createAck(invite: SipRequest, options: InDialogRequestOptions = {}): SipRequest {
    if (invite.method !== "INVITE")
      throw new TypeError(`an ACK acknowledges an INVITE, not a ${invite.method}`);
    const credentials: [string, string][] = [];
    for (const name of ["Authorization", "Proxy-Authorization"]) {
      for (const value of invite.headers.getRaw(name)) credentials.push([name, value]);
    }
    return this.#build("ACK", invite.headers.cseq().seq, options, undefined, credentials);
  }

  /**
   * @remarks RFC 3261 §12.2.1.1: "If the route set is empty, the UAC MUST place the remote target
   * URI into the Request-URI. The UAC MUST NOT add a Route header field to the request." / "If
   * the route set is not empty, and the first URI in the route set contains the lr parameter
   * (see Section 19.1.1), the UAC MUST place the remote target URI into the Request-URI and MUST
   * include a Route header field containing the route set values in order, including all
   * parameters." / "If the route set is not empty, and its first URI does not contain the lr
   * parameter, the UAC MUST place the first URI from the route set into the Request-URI,
   * stripping any parameters that are not allowed in a Request-URI. The UAC MUST add a Route
   * header field containing the remainder of the route set values in order, including all
   * parameters. The UAC MUST then place the remote target URI into the Route header field as the
   * last value."
   */
  #build(
    method: string,
    seq: number,
    options: InDialogRequestOptions,
    contact: NameAddr | undefined,
    extra: readonly (readonly [string, string])[],
  ): SipRequest {
    const routeSet = this.#routeSet;
    const first = routeSet[0];
    let requestUri: Uri;
    let routes: string[];
    if (first === undefined) {
      requestUri = this.#remoteTarget;
      routes = [];
    } else if (isLooseRouter(first.uri)) {
      requestUri = this.#remoteTarget;
      routes = routeSet.map(formatNameAddr);
    } else {
      requestUri = asRequestUri(first.uri);
      routes = [...routeSet.slice(1).map(formatNameAddr), `<${formatUri(this.#remoteTarget)}>`];
    }
    const body = bodyBytes(options.body);
    if (body.length > 0 && options.contentType === undefined)
      throw new TypeError("a body needs a contentType");
    const headers = new Headers();
    if (options.via !== undefined) {
      const { transport, host, port } = options.via;
      headers.append(
        "Via",
        `SIP/2.0/${transport} ${host}${port === undefined ? "" : `:${port}`};branch=${generateBranch()}`,
      );
    }
    headers.append("Max-Forwards", String(options.maxForwards ?? 70));
    headers.append("To", formatNameAddr(withTag(this.remoteAddress, this.id.remoteTag)));
    headers.append("From", formatNameAddr(withTag(this.localAddress, this.id.localTag)));
    headers.append("Call-ID", this.id.callId);
    headers.append("CSeq", formatCSeq({ seq, method }));
    for (const route of routes) headers.append("Route", route);
    if (contact !== undefined) headers.append("Contact", formatNameAddr(contact));
    for (const [name, value] of extra) headers.append(name, value);
    for (const [name, value] of options.headers ?? []) headers.append(name, value);
    if (options.contentType !== undefined) headers.append("Content-Type", options.contentType);
    headers.append("Content-Length", String(body.length));
    return {
      kind: "request",
      method,
      uri: requestUri,
      uriText: formatUri(requestUri),
      version: "SIP/2.0",
      headers,
      body,
    };
  }
}

/**
 * The CSeq order check of a UAS inside a dialog.
 *
 * @remarks RFC 3261 §12.2.2: "If the remote sequence number is empty, it MUST be set to the value
 * of the sequence number in the CSeq header field value in the request. If the remote sequence
 * number was not empty, but the sequence number of the request is lower than the remote sequence
 * number, the request is out of order and MUST be rejected with a 500 (Server Internal Error)
 * response."
 */
function rfc3261_12_2_2(remoteSeq: number | undefined, request: SipRequest): DialogRejection | undefined {
  if (remoteSeq === undefined) return undefined;
  const seq = request.headers.cseq().seq;
  return seq > remoteSeq ? undefined : { status: 500, reason: "CSeq Out of Order" };
}

/**
 * @remarks RFC 3261 §8.1.1.5: "The sequence number value MUST be expressible as a 32-bit
 * unsigned integer and MUST be less than 2**31." Starting in the lower half leaves room for a
 * long dialog to count up.
 */
function initialSeq(): number {
  return 1 + randomInt(2 ** 30);
}

function isLooseRouter(uri: Uri): boolean {
  return !("other" in uri) && uri.params.has("lr");
}

function asRequestUri(uri: Uri): Uri {
  if ("other" in uri || uri.scheme === "tel") return uri;
  const params = new Map(uri.params);
  for (const name of paramsNotAllowedInRequestUri) params.delete(name);
  return { ...uri, params, headers: new Map() };
}

function withoutTag(address: NameAddr): NameAddr {
  if (!address.params.has("tag")) return address;
  const params = new Map(address.params);
  params.delete("tag");
  return { ...address, params };
}

function withTag(address: NameAddr, tag: string | undefined): NameAddr {
  if (tag === undefined) return address;
  return { ...address, params: new Map([...address.params, ["tag", tag]]) };
}

function firstContact(message: SipRequest | SipResponse): NameAddr | undefined {
  const contacts = message.headers.contact();
  return contacts === "*" ? undefined : contacts[0];
}

function contactUri(message: SipRequest | SipResponse): Uri | undefined {
  return firstContact(message)?.uri;
}
