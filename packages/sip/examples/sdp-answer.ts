/** Static payload types this example can answer with (RFC 3551 Table 4). */
const codecs = new Map<string, string>([
  ["0", "PCMU/8000"],
  ["8", "PCMA/8000"],
]);

export interface SdpAnswerOptions {
  /** The address written into `o=` and `c=`. */
  address: string;
  /** Where media would be received. This example relays no media: nothing listens there. */
  mediaPort: number;
  /** `o=` session id, also used as its version. */
  sessionId: string;
}

/**
 * A minimal SDP answer to an offer: one audio stream, the first of PCMU or PCMA the offer lists.
 * Returns undefined when the offer has no audio stream with either codec.
 *
 * With no offer at all (an INVITE without a body) the same text serves as the offer of the 2xx.
 *
 * @remarks RFC 3264 §6: "For each "m=" line in the offer, there MUST be a corresponding "m="
 * line in the answer." and "The answer MUST contain exactly the same number of "m=" lines as
 * the offer." An offered stream the answerer does not want is refused with port zero.
 */
export function sdpAnswer(offer: string | undefined, options: SdpAnswerOptions): string | undefined {
  const family = options.address.includes(":") ? "IP6" : "IP4";
  const head = [
    "v=0",
    `o=- ${options.sessionId} ${options.sessionId} IN ${family} ${options.address}`,
    "s=-",
    `c=IN ${family} ${options.address}`,
    "t=0 0",
  ];
  const audio = (payload: string) => [
    `m=audio ${options.mediaPort} RTP/AVP ${payload}`,
    `a=rtpmap:${payload} ${codecs.get(payload)}`,
    "a=sendrecv",
  ];
  if (offer === undefined || offer.trim() === "") return [...head, ...audio("0"), ""].join("\r\n");

  const lines: string[] = [...head];
  let chosen = false;
  for (const line of offer.split(/\r?\n/)) {
    const media = /^m=(\S+) \d+(?:\/\d+)? (\S+)((?: \S+)*)$/.exec(line.trim());
    if (media === null) continue;
    const [, kind, proto, formats] = media;
    const payload = formats
      ?.trim()
      .split(" ")
      .find((format) => codecs.has(format));
    if (!chosen && kind === "audio" && proto === "RTP/AVP" && payload !== undefined) {
      lines.push(...audio(payload));
      chosen = true;
    } else {
      lines.push(`m=${kind} 0 ${proto}${formats ?? ""}`);
    }
  }
  return chosen ? [...lines, ""].join("\r\n") : undefined;
}
