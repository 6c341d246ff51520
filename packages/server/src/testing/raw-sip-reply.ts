import type { SipRequest } from "@zaqros/sip";

/** The text of a bare response to `request`, for test peers that stand in for a carrier on a raw socket. */
export function rawReply(request: SipRequest, status: number, reason: string, toTag: string): string {
  return [
    `SIP/2.0 ${status} ${reason}`,
    ...request.headers.getRaw("via").map((v) => `Via: ${v}`),
    `From: ${request.headers.first("from")}`,
    `To: ${request.headers.first("to")};tag=${toTag}`,
    `Call-ID: ${request.headers.first("call-id")}`,
    `CSeq: ${request.headers.first("cseq")}`,
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
}
