import { isIP } from "node:net";

const IPV4_MAPPED = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

/**
 * The canonical text of an IP literal, or undefined when `host` is not one: brackets
 * removed, IPv6 compressed and lower-cased (`[2001:DB8:0::1]` becomes `2001:db8::1`), and
 * IPv4-mapped IPv6 (`::ffff:192.0.2.1`, what a dual-stack socket reports) unwrapped to IPv4.
 */
export function canonicalIp(host: string): string | undefined {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  const family = isIP(bare);
  if (family === 4) return bare;
  if (family !== 6) return undefined;
  // The WHATWG URL serializer writes the RFC 5952 compressed form of an IPv6 host.
  const compressed = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  const mapped = IPV4_MAPPED.exec(compressed);
  if (mapped?.[1] !== undefined) return mapped[1];
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(compressed);
  if (hexMapped?.[1] !== undefined && hexMapped[2] !== undefined) {
    const high = Number.parseInt(hexMapped[1], 16);
    const low = Number.parseInt(hexMapped[2], 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return compressed;
}

/**
 * The family of a canonical IP literal (what canonicalIp returns): only IPv6 text has a colon.
 * Asked on every send, where node:net's isIPv6 would run its long regular expression over an
 * IPv4 address.
 */
export function ipFamily(address: string): 4 | 6 {
  return address.includes(":") ? 6 : 4;
}
