import type { Via } from "../message/types.ts";
import { canonicalIp } from "./ip-address.ts";
import type { Endpoint } from "./transport.ts";

/**
 * The top Via of a received request with `received` and `rport` filled in from the
 * packet's source, or the same object when nothing needs to change.
 *
 * @remarks RFC 3261 §18.2.1: "If the host portion of the "sent-by" parameter contains a
 * domain name, or if it contains an IP address that differs from the packet source address,
 * the server MUST add a "received" parameter to that Via header field value. This parameter
 * MUST contain the source address from which the packet was received."
 *
 * RFC 3581 §4: "If this Via header field value contains an "rport" parameter with no value,
 * it MUST set the value of the parameter to the source port of the request. [...] In fact,
 * the server MUST insert a "received" parameter containing the source IP address that the
 * request came from, even if it is identical to the value of the "sent-by" component."
 */
export function rfc3261_18_2_1_stampVia(via: Via, source: Endpoint): Via {
  const fillRport = via.params.has("rport") && via.params.get("rport") === null;
  const sentByDiffers = canonicalIp(via.host) !== source.address;
  if (!fillRport && !sentByDiffers) return via;
  const params = new Map(via.params);
  params.set("received", source.address);
  if (fillRport) params.set("rport", String(source.port));
  return { ...via, params };
}
