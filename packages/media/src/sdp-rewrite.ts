import { type MediaDescription, type SessionDescription, write } from "sdp-transform";

/** The relay's side of one stream, as the other phone must see it. */
export interface RelayPorts {
  readonly rtp: number;
  readonly rtcp: number;
}

export interface SdpRewrite {
  /** The address written into c=, a=rtcp and (with `replaceOrigin`) o=. */
  readonly address: string;
  readonly ipVersion: 4 | 6;
  /** Per m= line, the relay's ports on the receiving phone's side; undefined disables the line (port 0). */
  readonly ports: readonly (RelayPorts | undefined)[];
  /** Whether to write the relay's address into o= too, so the far side never sees the phone's. */
  readonly replaceOrigin: boolean;
}

const HOLD_ADDRESSES = new Set(["0.0.0.0", "::"]);

/**
 * Writes the SDP one phone sent as the other phone must receive it: every connection address
 * (session and media level) and every media port points at the relay, `a=rtcp` names the
 * relay's RTCP port, and ICE attributes are removed because the relay is not an ICE agent
 * (rtpengine's `ICE=remove`: "any ICE attributes are stripped from the SDP body"). Codecs,
 * directions, crypto, bandwidth and unknown attributes are kept.
 *
 * A `c=0.0.0.0` (RFC 2543 hold) is kept as it is, so the far side keeps not sending.
 */
export function rewriteSdp(session: SessionDescription, plan: SdpRewrite): string {
  const out = structuredClone(session);
  const connection = { version: plan.ipVersion, ip: plan.address };
  if (plan.replaceOrigin) hideOrigin(out, plan);
  if (out.connection !== undefined && !HOLD_ADDRESSES.has(out.connection.ip))
    out.connection = { ...connection };
  removeIce(out);
  out.icelite = undefined;
  out.media.forEach((media, index) => {
    removeIce(media);
    media.candidates = undefined;
    media.endOfCandidates = undefined;
    media.remoteCandidates = undefined;
    const ports = plan.ports[index];
    if (ports === undefined) {
      media.port = 0;
      media.rtcp = undefined;
      return;
    }
    media.port = ports.rtp;
    if (media.connection !== undefined && !HOLD_ADDRESSES.has(media.connection.ip)) {
      media.connection = { ...connection };
    }
    if (media.rtcp !== undefined) {
      media.rtcp = { port: ports.rtcp, netType: "IN", ipVer: plan.ipVersion, address: plan.address };
    }
  });
  return write(out);
}

/**
 * Topology hiding for SDP: nothing that names the phone, its user or its software reaches the
 * other leg. The origin line gets the relay's address and no user name, the session name goes,
 * `a=tool` goes, and `a=ssrc` lines go (their `cname` is often `user@host` of the phone).
 *
 * @remarks RFC 4566 §5.2: the o= username "is the user's login on the originating host, or it is
 * "-" if the originating host does not support the concept of user IDs"; §5.3: "If a session has
 * no meaningful name, the value "s= " SHOULD be used". RFC 5576 §6.1 ties the SSRC `cname` to the
 * RTCP CNAME, which RFC 3550 §6.5.1 suggests be "user@host".
 */
function hideOrigin(out: SessionDescription, plan: SdpRewrite): void {
  if (out.origin !== undefined) {
    out.origin.ipVer = plan.ipVersion;
    out.origin.address = plan.address;
    out.origin.username = "-";
  }
  out.name = "-";
  if (out.invalid !== undefined)
    out.invalid = out.invalid.filter((attribute) => !/^tool:/i.test(attribute.value));
  for (const media of out.media) {
    media.ssrcs = undefined;
    media.ssrcGroups = undefined;
    if (media.invalid !== undefined) {
      media.invalid = media.invalid.filter((attribute) => !/^tool:/i.test(attribute.value));
    }
  }
}

function removeIce(target: SessionDescription | MediaDescription): void {
  target.iceUfrag = undefined;
  target.icePwd = undefined;
  target.iceOptions = undefined;
  if (target.invalid !== undefined) {
    target.invalid = target.invalid.filter((attribute) => !/^ice-/i.test(attribute.value));
  }
}
