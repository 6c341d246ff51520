import { isIPv6 } from "node:net";

/** `host` lower-cased (IPv6 in its canonical bracketed form) and an optional port. */
interface HostPort {
  host: string;
  port?: number;
}

function canonicalHost(host: string): string | undefined {
  if (host.startsWith("[")) {
    if (!host.endsWith("]")) return undefined;
    try {
      // WHATWG URL canonicalises IPv6 text (zero compression, case) without any lookup.
      return new URL(`http://${host}/`).hostname;
    } catch {
      return undefined;
    }
  }
  return /^[A-Za-z0-9.-]+$/.test(host) ? host.toLowerCase() : undefined;
}

function parseHostPort(text: string): HostPort | undefined {
  let hostText = text;
  let portText: string | undefined;
  const closing = text.lastIndexOf("]");
  const colon = text.lastIndexOf(":");
  if (colon > closing && (closing !== -1 || text.indexOf(":") === colon)) {
    hostText = text.slice(0, colon);
    portText = text.slice(colon + 1);
  }
  const host = canonicalHost(hostText);
  if (host === undefined) return undefined;
  if (portText === undefined) return { host };
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  return port <= 65535 ? { host, port } : undefined;
}

/**
 * The host and port of a `sip:`/`sips:` URI, or `undefined` for anything else. Userinfo,
 * parameters and headers are skipped: `@` appears in none of the characters RFC 3261 §25.1 allows
 * after the host, so the host starts after the last `@`.
 */
function sipUriHostPort(uri: string): Required<HostPort> | undefined {
  const match = /^sip(s?):/i.exec(uri);
  if (match === null) return undefined;
  const rest = uri.slice(match[0].length);
  const afterUserinfo = rest.slice(rest.lastIndexOf("@") + 1);
  const end = afterUserinfo.search(/[;?]/);
  const hostPort = parseHostPort(end === -1 ? afterUserinfo : afterUserinfo.slice(0, end));
  if (hostPort === undefined) return undefined;
  return { host: hostPort.host, port: hostPort.port ?? (match[1] === "" ? 5060 : 5061) };
}

/**
 * A `uri` acceptor for `DigestVerifierConfig.acceptUri`: accepts a SIP or SIPS URI whose host (and
 * port, when the entry names one) is one of this server's own addresses. `ownHosts` entries are
 * `host`, `host:port`, `[v6]`, `v6` or `[v6]:port`; an entry without a port accepts any port, and
 * a URI without a port has the default one (5060 for `sip:`, 5061 for `sips:`).
 *
 * This is what lets SIPp 3.6.1 register: its digest `uri` is `sip:<remote host>:<port>`, not the
 * Request-URI. The response is still computed over the `uri` the client sent, so accepting it does
 * not weaken the digest itself.
 *
 * @remarks RFC 2617 §3.2.2.5: "The authenticating server must assure that the resource designated by
 * the "uri" directive is the same as the resource specified in the Request-Line". RFC 3261 §22.4
 * item 6 relaxes this for SIP: "In a SIP context, these two URIs may refer to different users, due
 * to forwarding at some proxy. Therefore, in SIP, a server MAY check that the Request-URI in the
 * Authorization header field value corresponds to a user for whom the server is willing to accept
 * forwarded or direct requests, but it is not necessarily a failure if the two fields are not
 * equivalent."
 *
 * @throws RangeError when an entry of `ownHosts` is not a host or host:port.
 */
export function acceptUriOnOwnHosts(ownHosts: readonly string[]): (uri: string) => boolean {
  const own = ownHosts.map((entry) => {
    const text = entry.trim();
    const parsed = parseHostPort(isIPv6(text) ? `[${text}]` : text);
    if (parsed === undefined) throw new RangeError(`not a host or host:port: ${entry}`);
    return parsed;
  });
  return (uri) => {
    const target = sipUriHostPort(uri);
    if (target === undefined) return false;
    return own.some(
      (entry) => entry.host === target.host && (entry.port === undefined || entry.port === target.port),
    );
  };
}
