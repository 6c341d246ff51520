import { formatCSeq } from "../grammar/cseq.ts";
import { formatNameAddr } from "../grammar/name-addr.ts";
import { formatUri, parseUri } from "../grammar/uri.ts";
import { formatVia } from "../grammar/via.ts";
import { bodyBytes } from "./body-text.ts";
import { Headers } from "./headers.ts";
import { generateCallId, generateTag } from "./identifiers.ts";
import type { NameAddr, SipRequest, Uri, Via } from "./types.ts";

export interface RequestInit {
  method: string;
  /** The Request-URI, as a value or as text. */
  uri: Uri | string;
  /** Gets a fresh `tag` when it has none. */
  from: NameAddr;
  to: NameAddr;
  /** Default: a new random Call-ID. */
  callId?: string;
  /** Default: 1. */
  cseq?: number;
  /** Top Via value(s). Usually left out and added by the transaction layer. */
  via?: Via | Via[];
  /** Default: 70. */
  maxForwards?: number;
  contact?: NameAddr | NameAddr[];
  /** Further header fields, appended in order after the ones above. */
  headers?: Iterable<readonly [name: string, value: string]>;
  body?: Uint8Array | string;
  /** Content-Type of the body; required with a non-empty body. */
  contentType?: string;
}

/**
 * Builds a request outside a dialog (or, with the dialog's tags and CSeq, inside one).
 *
 * @remarks RFC 3261 §8.1.1: "A valid SIP request formulated by a UAC MUST, at a minimum,
 * contain the following header fields: To, From, CSeq, Call-ID, Max-Forwards, and Via".
 * §8.1.1.3: "The From field MUST contain a new "tag" parameter, chosen by the UAC."
 * §8.1.1.6: "A UAC MUST insert a Max-Forwards header field into each request it originates
 * with a value that SHOULD be 70."
 */
export function createRequest(init: RequestInit): SipRequest {
  const uri = typeof init.uri === "string" ? parseUri(init.uri) : init.uri;
  const uriText = typeof init.uri === "string" ? init.uri : formatUri(uri);
  const from: NameAddr = init.from.params.has("tag")
    ? init.from
    : { ...init.from, params: new Map([...init.from.params, ["tag", generateTag()]]) };
  const body = bodyBytes(init.body);
  if (body.length > 0 && init.contentType === undefined) {
    throw new TypeError("createRequest: a body needs a contentType");
  }
  const headers = new Headers();
  const vias = init.via === undefined ? [] : Array.isArray(init.via) ? init.via : [init.via];
  for (const via of vias) headers.append("Via", formatVia(via));
  headers.append("Max-Forwards", String(init.maxForwards ?? 70));
  headers.append("To", formatNameAddr(init.to));
  headers.append("From", formatNameAddr(from));
  headers.append("Call-ID", init.callId ?? generateCallId());
  headers.append("CSeq", formatCSeq({ seq: init.cseq ?? 1, method: init.method }));
  const contacts =
    init.contact === undefined ? [] : Array.isArray(init.contact) ? init.contact : [init.contact];
  for (const contact of contacts) headers.append("Contact", formatNameAddr(contact));
  for (const [name, value] of init.headers ?? []) headers.append(name, value);
  if (init.contentType !== undefined) headers.append("Content-Type", init.contentType);
  headers.append("Content-Length", String(body.length));
  return { kind: "request", method: init.method, uri, uriText, version: "SIP/2.0", headers, body };
}
