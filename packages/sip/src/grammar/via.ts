import { is, isWsp, TOKEN } from "./charset.ts";
import { formatParams, parseParams } from "./params.ts";
import { SipParseError } from "./sip-parse-error.ts";
import type { Via } from "./types.ts";
import { parseHost, parsePort } from "./uri.ts";

const SLASH = 0x2f;
const COLON = 0x3a;

function skipWsp(s: string, i: number): number {
  while (i < s.length && isWsp(s.charCodeAt(i))) i++;
  return i;
}

function token(s: string, i: number): number {
  while (i < s.length && is(s.charCodeAt(i), TOKEN)) i++;
  return i;
}

/**
 * Parses one Via value (`via-parm`); split a comma-separated Via header first.
 *
 * @remarks RFC 3261 §25.1: `via-parm = sent-protocol LWS sent-by *( SEMI via-params )`,
 * `sent-protocol = protocol-name SLASH protocol-version SLASH transport` with
 * `SLASH = SWS "/" SWS`, and `sent-by = host [ COLON port ]` with `COLON = SWS ":" SWS`,
 * so `SIP / 2.0 / UDP host ; branch = x` is valid (RFC 4475 §3.1.1.1). RFC 3261 §20.42:
 * the transport is an extensible token (RFC 4475 §3.1.1.10 uses `UNKNOWN`), kept here in
 * upper case.
 */
export function parseVia(s: string): Via {
  let protocol = "SIP/2.0";
  let i: number;
  if (s.startsWith("SIP/2.0/")) {
    i = 8;
  } else {
    i = skipWsp(s, 0);
    const nameStart = i;
    const nameEnd = token(s, i);
    i = skipWsp(s, nameEnd);
    if (nameEnd === nameStart || s.charCodeAt(i) !== SLASH)
      throw new SipParseError("BAD_VIA", "bad sent-protocol");
    i = skipWsp(s, i + 1);
    const versionStart = i;
    const versionEnd = token(s, i);
    i = skipWsp(s, versionEnd);
    if (versionEnd === versionStart || s.charCodeAt(i) !== SLASH) {
      throw new SipParseError("BAD_VIA", "bad sent-protocol");
    }
    protocol = `${s.slice(nameStart, nameEnd).toUpperCase()}/${s.slice(versionStart, versionEnd)}`;
    i = skipWsp(s, i + 1);
  }
  const transportStart = i;
  const transportEnd = token(s, i);
  if (transportEnd === transportStart) throw new SipParseError("BAD_VIA", "missing transport");
  const transport = s.slice(transportStart, transportEnd).toUpperCase();
  i = skipWsp(s, transportEnd);
  if (i === transportEnd) throw new SipParseError("BAD_VIA", "missing sent-by");
  const via: Via = {
    protocol,
    transport,
    host: "",
    params: new Map(),
  };
  i = parseHost(s, i, via, "BAD_VIA");
  const colon = skipWsp(s, i);
  if (s.charCodeAt(colon) === COLON) i = parsePort(s, skipWsp(s, colon + 1), via, "BAD_VIA");
  parseParams(s, i, via.params, "BAD_VIA");
  return via;
}

/** Writes a Via value: `SIP/2.0/UDP host:port;params`. */
export function formatVia(via: Via): string {
  const port = via.port === undefined ? "" : `:${via.port}`;
  return `${via.protocol}/${via.transport} ${via.host}${port}${formatParams(via.params)}`;
}
