import { createResponse } from "../../message/create-response.ts";
import { parseMessage } from "../../message/parse-message.ts";
import { serializeMessage } from "../../message/serialize-message.ts";
import type { SipMessage, SipRequest, SipResponse } from "../../message/types.ts";

export interface SampleRequest {
  /** Default INVITE. */
  method?: string;
  /** Default `sip:bob@biloxi.example.com`. */
  uri?: string;
  /** Top Via branch; null for an RFC 2543 Via without one. Default `z9hG4bKnashds8`. */
  branch?: string | null;
  /** Top Via sent-by. Default `pc33.atlanta.example.com`. */
  sentBy?: string;
  /** Via values below the top one (a request that went through proxies). */
  lowerVias?: string[];
  callId?: string;
  cseq?: number;
  /** CSeq method, when it should differ from the method. */
  cseqMethod?: string;
  fromTag?: string | null;
  toTag?: string;
  routes?: string[];
  /** Further header lines, as written. */
  extra?: string[];
  body?: string;
}

/** Parses SIP text (LF line ends allowed) the way the transport layer would. */
export function parse(text: string): SipMessage {
  return parseMessage(new TextEncoder().encode(text.replace(/\r?\n/g, "\r\n")));
}

/** A request as it would arrive from the network. */
export function sampleRequest(options: SampleRequest = {}): SipRequest {
  const method = options.method ?? "INVITE";
  const branch = options.branch === undefined ? "z9hG4bKnashds8" : options.branch;
  const fromTag = options.fromTag === undefined ? "9fxced76sl" : options.fromTag;
  const body = options.body ?? "";
  const lines = [
    `${method} ${options.uri ?? "sip:bob@biloxi.example.com"} SIP/2.0`,
    `Via: SIP/2.0/UDP ${options.sentBy ?? "pc33.atlanta.example.com"}${branch === null ? "" : `;branch=${branch}`}`,
    ...(options.lowerVias ?? []).map((via) => `Via: ${via}`),
    "Max-Forwards: 70",
    `To: Bob <sip:bob@biloxi.example.com>${options.toTag === undefined ? "" : `;tag=${options.toTag}`}`,
    `From: Alice <sip:alice@atlanta.example.com>${fromTag === null ? "" : `;tag=${fromTag}`}`,
    `Call-ID: ${options.callId ?? "3848276298220188511@atlanta.example.com"}`,
    `CSeq: ${options.cseq ?? 314159} ${options.cseqMethod ?? method}`,
    "Contact: <sip:alice@pc33.atlanta.example.com>",
    ...(options.routes ?? []).map((route) => `Route: ${route}`),
    ...(options.extra ?? []),
    ...(body === "" ? [] : ["Content-Type: application/sdp"]),
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ];
  const message = parse(lines.join("\n"));
  if (message.kind !== "request") throw new Error("not a request");
  return message;
}

/** A response to `request` as it would arrive from the network (built, serialized and parsed again). */
export function sampleResponse(
  request: SipRequest,
  status: number,
  options: { toTag?: string; extra?: [string, string][] } = {},
): SipResponse {
  const built = createResponse(request, status, undefined, {
    toTag: options.toTag ?? (status === 100 ? undefined : "8321234356"),
    headers: options.extra ?? [],
  });
  const message = parseMessage(serializeMessage(built));
  if (message.kind !== "response") throw new Error("not a response");
  return message;
}
