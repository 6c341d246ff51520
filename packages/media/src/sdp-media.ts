import { parse, type SessionDescription } from "sdp-transform";
import { type Endpoint, usableEndpoint } from "./endpoint.ts";
import { MediaError } from "./media-error.ts";

/** `a=sendrecv` and its kin (RFC 4566 §6); absent means `sendrecv`. */
export type MediaDirection = "sendrecv" | "sendonly" | "recvonly" | "inactive";

/** What one `m=` line of an SDP body asks of the relay. */
export interface MediaLine {
  /** Position among the `m=` lines, which is how offer and answer pair streams (RFC 3264 §6). */
  readonly index: number;
  /** `audio`, `video`, `image` ... */
  readonly type: string;
  /** `RTP/AVP`, `RTP/SAVP`, `udptl` ... */
  readonly protocol: string;
  /** Whether the relay carries this stream: a UDP transport and a port other than 0. */
  readonly relayed: boolean;
  /** Whether packets on it are RTP, so sequence numbers can be counted and junk told apart. */
  readonly rtpBased: boolean;
  /** Where the phone receives RTP, when the SDP names a usable address. */
  readonly rtp: Endpoint | undefined;
  /** Where the phone receives RTCP: `a=rtcp` (RFC 3605), else the RTP port plus one. */
  readonly rtcp: Endpoint | undefined;
  readonly direction: MediaDirection;
}

/** An SDP body as the relay reads it: the text, kept for rewriting, its parsed description, and its media lines. */
export interface SdpView {
  readonly text: string;
  readonly session: SessionDescription;
  readonly media: readonly MediaLine[];
}

/**
 * Reads an SDP body and checks what relaying depends on.
 *
 * @remarks RFC 4566 §5.7: "A session description MUST contain either at least one "c=" field
 * in each media description or a single "c=" field at the session level." RFC 3264 §8.4: a
 * user agent "MUST be capable of receiving SDP with a connection address of 0.0.0.0, in which
 * case it means that neither RTP nor RTCP should be sent to the peer": such a line gets no
 * endpoint here. RFC 3605 §2.1: the `a=rtcp` attribute "is used to document the RTCP port used
 * for media stream, when that port is not the next higher (odd) port number following the RTP
 * port described in the media line."
 *
 * @throws MediaError `MEDIA.INVALID_SDP`
 */
export function readSdp(text: string): SdpView {
  const session = parse(text);
  if (session.version !== 0) throw invalid("the body does not start with v=0");
  if (session.media.length === 0) throw invalid("the body has no m= line");
  const sessionDirection = session.direction;
  const media = session.media.map((m, index): MediaLine => {
    const port = Number(m.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw invalid(`m= line ${index} has port ${m.port}`);
    const udp = isUdpProtocol(m.protocol);
    const relayed = udp && port !== 0;
    const connection = m.connection ?? session.connection;
    if (relayed && connection === undefined) throw invalid(`m= line ${index} has no connection address (c=)`);
    const address = connection?.ip ?? "";
    const rtp = relayed ? usableEndpoint(address, port) : undefined;
    const rtcp = relayed
      ? m.rtcp !== undefined
        ? usableEndpoint(m.rtcp.address ?? address, m.rtcp.port)
        : rtp && usableEndpoint(address, port + 1)
      : undefined;
    return {
      index,
      type: m.type,
      protocol: m.protocol,
      relayed,
      rtpBased: /\bRTP\b/i.test(m.protocol),
      rtp,
      rtcp,
      direction: m.direction ?? sessionDirection ?? "sendrecv",
    };
  });
  return { text, session, media };
}

/** UDP-carried media (RTP/AVP, RTP/SAVPF, UDP/TLS/RTP/SAVPF, udptl ...); TCP media is not relayed. */
function isUdpProtocol(protocol: string): boolean {
  return !/^TCP\b/i.test(protocol) && /^(RTP\/|UDP\b|udptl$)/i.test(protocol);
}

function invalid(reason: string): MediaError {
  return new MediaError("MEDIA.INVALID_SDP", `SDP cannot be relayed: ${reason}`);
}
