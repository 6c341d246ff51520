/**
 * The SDP a bench phone offers or answers: G.711 A-law at 20 ms from 127.0.0.1, with RFC 4733
 * telephone-events when `dtmf` is set (as the SIP phones the B2BUA benchmark stands in for send).
 */
export function phoneSdp(port: number, sessionId: number, dtmf = false): string {
  return [
    "v=0",
    `o=bench ${sessionId} 1 IN IP4 127.0.0.1`,
    "s=-",
    "c=IN IP4 127.0.0.1",
    "t=0 0",
    `m=audio ${port} RTP/AVP 8${dtmf ? " 101" : ""}`,
    "a=rtpmap:8 PCMA/8000",
    ...(dtmf ? ["a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16"] : []),
    "a=ptime:20",
    "a=sendrecv",
    "",
  ].join("\r\n");
}
