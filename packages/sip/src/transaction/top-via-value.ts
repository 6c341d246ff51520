import { formatVia } from "../grammar/via.ts";
import type { SipRequest } from "../message/types.ts";

/** The top Via value of a request as text: as written when it stands alone, else rewritten from its parsed form. */
export function topViaValue(request: SipRequest): string {
  const vias = request.headers.via();
  const top = vias[0];
  if (top === undefined) throw new TypeError("the request has no Via header field");
  const raw = request.headers.getRaw("via");
  return vias.length === 1 && raw.length === 1 ? raw[0]! : formatVia(top);
}
