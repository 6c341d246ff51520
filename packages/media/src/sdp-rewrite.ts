import type { SdpView } from "./sdp-media.ts";

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

/** sdp-transform's patterns for c= and o=, so a line is understood here exactly as readSdp understood it. */
const CONNECTION = /^c=IN IP(\d) (\S*)/;
const ORIGIN = /^o=(\S*) (\d*) (\d*) (\S*) IP(\d) (\S*)/;

/** ICE attributes (RFC 8839 §5): the relay is not an ICE agent, so none of them may pass. */
const ICE_ATTRIBUTE = /^a=(?:ice-|candidate:|end-of-candidates|remote-candidates:)/i;
/**
 * Attributes naming the phone's software (`a=tool`) or its user: RFC 5576 §6.1 ties the `a=ssrc`
 * `cname` to the RTCP CNAME, which RFC 3550 §6.5.1 suggests be "user@host".
 */
const IDENTIFYING_ATTRIBUTE = /^a=(?:tool:|ssrc:|ssrc-group:)/i;

/**
 * Writes the SDP one phone sent as the other phone must receive it: every connection address
 * (session and media level) and every media port points at the relay, `a=rtcp` names the
 * relay's RTCP port, and ICE attributes are removed because the relay is not an ICE agent
 * (rtpengine's `ICE=remove`: "any ICE attributes are stripped from the SDP body"). Codecs,
 * directions, crypto, bandwidth and unknown attributes are kept byte for byte, in the phone's order.
 *
 * A `c=0.0.0.0` (RFC 2543 hold) is kept as it is, so the far side keeps not sending. A line the
 * plan gives no ports is disabled (port 0) and loses its `a=rtcp`; its own c= names the relay too.
 *
 * @remarks The text is edited line by line rather than parsed and written again: this runs twice
 * per call, and sdp-transform's writer was a large share of the B2BUA's allocations. Lines that
 * sdp-transform's reader ignores (not `<letter>=`, types it does not know such as `k=`, session
 * lines inside a media description) are left out, as its writer left them out.
 */
export function rewriteSdp(sdp: SdpView, plan: SdpRewrite): string {
  const relayConnection = `c=IN IP${plan.ipVersion} ${plan.address}`;
  let out = "";
  let mediaIndex = -1;
  let ports: RelayPorts | undefined;
  // The writer always wrote an s= line (RFC 4566 §5.3), so one the phone left out is added.
  let nameOwed = sdp.session.name === undefined;
  for (const line of sdp.text.split(/\r\n|\r|\n/)) {
    if (line.charCodeAt(1) !== 61 /* "=" */) continue;
    const type = line.charAt(0);
    if (nameOwed && type !== "v" && type !== "o") {
      out += plan.replaceOrigin ? "s=-\r\n" : "s= \r\n";
      nameOwed = false;
    }
    let kept: string | undefined;
    if (type === "m") {
      mediaIndex += 1;
      ports = plan.ports[mediaIndex];
      kept = withPort(line, ports?.rtp ?? 0);
    } else if (type === "a") {
      kept = attribute(line, mediaIndex >= 0, ports, plan);
    } else if (type === "c") {
      kept = connection(line, relayConnection);
    } else if (type === "i" || type === "b") {
      kept = line;
    } else if (mediaIndex < 0) {
      kept = sessionLine(line, type, plan);
    }
    if (kept !== undefined) out += `${kept}\r\n`;
  }
  return out;
}

/** The m= line with `port` in place of the phone's; readSdp has checked the port is a number. */
function withPort(line: string, port: number): string {
  const portStart = line.indexOf(" ") + 1;
  const portEnd = line.indexOf(" ", portStart);
  return `${line.slice(0, portStart)}${port}${portEnd < 0 ? "" : line.slice(portEnd)}`;
}

/**
 * A c= line as the other leg must see it: the relay's address, also on a disabled m= line (port
 * 0), whose address would otherwise name the phone; a hold address (0.0.0.0, ::) stays as it is.
 * A c= that does not read as `IN IP<n> <address>` is dropped.
 */
function connection(line: string, relayConnection: string): string | undefined {
  const parts = CONNECTION.exec(line);
  if (parts === null) return undefined;
  const address = parts[2] ?? "";
  return HOLD_ADDRESSES.has(address) ? `c=IN IP${parts[1]} ${address}` : relayConnection;
}

function attribute(
  line: string,
  inMedia: boolean,
  ports: RelayPorts | undefined,
  plan: SdpRewrite,
): string | undefined {
  if (ICE_ATTRIBUTE.test(line)) return undefined;
  if (plan.replaceOrigin && IDENTIFYING_ATTRIBUTE.test(line)) return undefined;
  if (inMedia && line.startsWith("a=rtcp:")) {
    return ports === undefined ? undefined : `a=rtcp:${ports.rtcp} IN IP${plan.ipVersion} ${plan.address}`;
  }
  return line;
}

/**
 * v=, o=, s=, t= and the rest of the session description. With `replaceOrigin`, o= and s= stop
 * naming the phone and its user (topology hiding).
 *
 * @remarks RFC 4566 §5.2: the o= username "is the user's login on the originating host, or it is
 * "-" if the originating host does not support the concept of user IDs"; §5.3: "If a session has
 * no meaningful name, the value "s= " SHOULD be used".
 */
function sessionLine(line: string, type: string, plan: SdpRewrite): string | undefined {
  switch (type) {
    case "o": {
      const origin = ORIGIN.exec(line);
      if (origin === null) return undefined;
      if (!plan.replaceOrigin) return line;
      return `o=- ${origin[2]} ${origin[3]} ${origin[4]} IP${plan.ipVersion} ${plan.address}`;
    }
    case "s":
      return plan.replaceOrigin ? "s=-" : line;
    case "v":
    case "t":
    case "u":
    case "e":
    case "p":
    case "r":
    case "z":
      return line;
    default:
      return undefined;
  }
}
