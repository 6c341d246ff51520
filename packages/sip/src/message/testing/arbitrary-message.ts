import fc from "fast-check";
import { formatCSeq } from "../../grammar/cseq.ts";
import { formatNameAddr } from "../../grammar/name-addr.ts";
import { quoteString } from "../../grammar/quoted-string.ts";
import type { CSeq, NameAddr, Params, SipUri, TelUri, Uri, Via } from "../../grammar/types.ts";
import { formatUri } from "../../grammar/uri.ts";
import { formatVia } from "../../grammar/via.ts";
import { Headers } from "../headers.ts";
import type { SipMessage } from "../types.ts";

/** A generated message together with the typed values it was built from. */
export interface GeneratedMessage {
  message: SipMessage;
  vias: Via[];
  from: NameAddr;
  to: NameAddr;
  callId: string;
  cseq: CSeq;
  contacts: NameAddr[];
  routes: NameAddr[];
  extensions: Array<[string, string]>;
}

const tokenChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~";
const lowerTokenChars = "abcdefghijklmnopqrstuvwxyz0123456789-.!%*_+`'~";
const wordChars = `${tokenChars}()<>:\\"/[]?{}`;

const charsFrom = (alphabet: string, minLength = 1, maxLength = 12) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });

/** Any text without line breaks (which no header value can carry). */
const text = (minLength = 0, maxLength = 20) =>
  fc.string({ unit: "grapheme", minLength, maxLength }).filter((s) => !/[\r\n]/.test(s));

/** Text with no surrounding whitespace, as a stored header value always is. */
const headerText = text(0, 30).map((s) => s.replace(/^[ \t]+|[ \t]+$/g, ""));

const host = fc.oneof(
  fc.domain(),
  fc.ipV4(),
  fc.ipV6().map((a) => `[${a}]`),
);

const uriParams: fc.Arbitrary<Params> = fc
  .array(
    fc.tuple(
      text(1, 8).map((s) => s.toLowerCase()),
      fc.option(text(1, 8), { nil: null }),
    ),
    { maxLength: 3 },
  )
  .map((entries) => new Map(entries));

const sipUri = (withHeaders: boolean): fc.Arbitrary<SipUri> =>
  fc
    .record({
      scheme: fc.constantFrom("sip" as const, "sips" as const),
      user: fc.option(text(1, 12), { nil: undefined }),
      password: fc.option(text(0, 8), { nil: undefined }),
      host,
      port: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
      params: uriParams,
      headers: withHeaders
        ? fc.array(fc.tuple(text(1, 8), text(0, 8)), { maxLength: 2 }).map((e) => new Map(e))
        : fc.constant(new Map<string, string>()),
    })
    .map((r) => {
      const uri: SipUri = { scheme: r.scheme, host: r.host, params: r.params, headers: r.headers };
      if (r.user !== undefined) {
        uri.user = r.user;
        if (r.password !== undefined) uri.password = r.password;
      }
      if (r.port !== undefined) uri.port = r.port;
      return uri;
    });

const telUri: fc.Arbitrary<TelUri> = fc
  .record({ number: fc.stringMatching(/^\+?[0-9][0-9-]{0,14}$/), params: uriParams })
  .map((r) => ({ scheme: "tel" as const, number: r.number, params: r.params }));

const uri = (withHeaders: boolean): fc.Arbitrary<Uri> =>
  fc.oneof({ weight: 6, arbitrary: sipUri(withHeaders) }, { weight: 1, arbitrary: telUri });

/** Header parameters: a token name, and no value, a token value or a quoted one (kept quoted). */
const headerParams: fc.Arbitrary<Params> = fc
  .array(
    fc.tuple(
      charsFrom(lowerTokenChars, 1, 10),
      fc.oneof(fc.constant(null), charsFrom(tokenChars, 1, 12), text(0, 12).map(quoteString)),
    ),
    { maxLength: 3 },
  )
  .map((entries) => new Map(entries));

const nameAddr: fc.Arbitrary<NameAddr> = fc
  .record({ displayName: fc.option(text(0, 16), { nil: undefined }), uri: uri(true), params: headerParams })
  .map((r) =>
    r.displayName === undefined
      ? { uri: r.uri, params: r.params }
      : { displayName: r.displayName, uri: r.uri, params: r.params },
  );

const via: fc.Arbitrary<Via> = fc
  .record({
    transport: fc.oneof(
      fc.constantFrom("UDP", "TCP", "TLS", "WS", "WSS", "SCTP"),
      charsFrom(tokenChars).map((t) => t.toUpperCase()),
    ),
    host,
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    branch: charsFrom(tokenChars, 1, 20).map((b) => `z9hG4bK${b}`),
    params: headerParams,
  })
  .map((r) => {
    const value: Via = {
      protocol: "SIP/2.0",
      transport: r.transport,
      host: r.host,
      params: new Map([["branch", r.branch], ...[...r.params].filter(([k]) => k !== "branch")]),
    };
    if (r.port !== undefined) value.port = r.port;
    return value;
  });

const method = fc.oneof(
  fc.constantFrom("INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER"),
  charsFrom(tokenChars, 1, 16),
);

/** Well-formed messages, requests and responses, with the values they were built from. */
export const arbitraryMessage: fc.Arbitrary<GeneratedMessage> = fc
  .record({
    isRequest: fc.boolean(),
    method,
    requestUri: uri(false),
    status: fc.integer({ min: 100, max: 699 }),
    reason: text(0, 20),
    vias: fc.array(via, { minLength: 1, maxLength: 3 }),
    from: nameAddr,
    to: nameAddr,
    callId: fc
      .tuple(charsFrom(wordChars, 1, 20), fc.option(charsFrom(wordChars, 1, 12), { nil: undefined }))
      .map(([a, b]) => (b === undefined ? a : `${a}@${b}`)),
    seq: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    contacts: fc.array(nameAddr, { maxLength: 2 }),
    routes: fc.array(nameAddr, { maxLength: 2 }),
    extensions: fc.array(
      fc.tuple(
        charsFrom(tokenChars, 1, 10).map((n) => `X-${n}`),
        headerText,
      ),
      { maxLength: 3 },
    ),
    body: fc.uint8Array({ maxLength: 64 }),
    compactNames: fc.boolean(),
  })
  .map((r): GeneratedMessage => {
    const cseq = { seq: r.seq, method: r.method };
    const headers = new Headers();
    const name = (long: string, compact: string) => (r.compactNames ? compact : long);
    for (const v of r.vias) headers.append(name("Via", "v"), formatVia(v));
    headers.append(name("From", "f"), formatNameAddr(r.from));
    headers.append(name("To", "t"), formatNameAddr(r.to));
    headers.append(name("Call-ID", "i"), r.callId);
    headers.append("CSeq", formatCSeq(cseq));
    if (r.contacts.length > 0)
      headers.append(name("Contact", "m"), r.contacts.map(formatNameAddr).join(", "));
    for (const route of r.routes) headers.append("Route", formatNameAddr(route));
    for (const [n, v] of r.extensions) headers.append(n, v);
    if (r.body.length > 0) headers.append(name("Content-Type", "c"), "application/octet-stream");
    headers.append(name("Content-Length", "l"), String(r.body.length));
    const message: SipMessage = r.isRequest
      ? {
          kind: "request",
          method: r.method,
          uri: r.requestUri,
          uriText: formatUri(r.requestUri),
          version: "SIP/2.0",
          headers,
          body: r.body,
        }
      : { kind: "response", status: r.status, reason: r.reason, version: "SIP/2.0", headers, body: r.body };
    return {
      message,
      vias: r.vias,
      from: r.from,
      to: r.to,
      callId: r.callId,
      cseq,
      contacts: r.contacts,
      routes: r.routes,
      extensions: r.extensions,
    };
  });
