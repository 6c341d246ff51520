import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { type MediaDescription, parse, type SessionDescription, write } from "sdp-transform";
import { readSdp } from "./sdp-media.ts";
import { type RelayPorts, rewriteSdp, type SdpRewrite } from "./sdp-rewrite.ts";
import { DISABLED_WITH_CONNECTION, PHONE_OFFER, SOFTPHONE_OFFER } from "./testing/phone-offer.ts";

/**
 * The rewrite as it was written before it edited text line by line: clone sdp-transform's parse,
 * edit it, and write it back. Kept here so every change to rewriteSdp is checked against it.
 */
function referenceRewrite(session: SessionDescription, plan: SdpRewrite): string {
  const HOLD_ADDRESSES = new Set(["0.0.0.0", "::"]);
  const removeIce = (target: SessionDescription | MediaDescription): void => {
    target.iceUfrag = undefined;
    target.icePwd = undefined;
    target.iceOptions = undefined;
    if (target.invalid !== undefined) {
      target.invalid = target.invalid.filter((attribute) => !/^ice-/i.test(attribute.value));
    }
  };
  const out = structuredClone(session);
  const connection = { version: plan.ipVersion, ip: plan.address };
  if (plan.replaceOrigin) {
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
    // One change from the code it replaced: a disabled line's own c= named the phone's address.
    if (ports === undefined) {
      media.port = 0;
      media.rtcp = undefined;
      if (media.connection !== undefined && !HOLD_ADDRESSES.has(media.connection.ip)) {
        media.connection = { ...connection };
      }
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

function lines(sdp: string): string[] {
  return sdp.split("\r\n").filter((line) => line !== "");
}

/**
 * The same SDP for the far phone: what sdp-transform reads from both is equal, and both hold the
 * same lines. The writer sorts attributes into its grammar's order while the line editor keeps the
 * phone's order, so the lines are compared as sorted lists, not in sequence.
 */
function assertSameSdp(actual: string, expected: string, context: string): void {
  assert.ok(actual.endsWith("\r\n"), `${context}: output ends with CRLF`);
  assert.ok(!/\r(?!\n)|(?<!\r)\n/.test(actual), `${context}: every line ends with CRLF`);
  assert.deepEqual(parse(actual), parse(expected), context);
  assert.deepEqual(lines(actual).sort(), lines(expected).sort(), context);
}

function assertRewritesAlike(text: string, plan: SdpRewrite, context = text): void {
  const view = readSdp(text);
  assertSameSdp(rewriteSdp(view, plan), referenceRewrite(view.session, plan), context);
}

const sdp = (...body: string[]): string => `${body.join("\r\n")}\r\n`;
const V4 = { address: "203.0.113.5", ipVersion: 4 as const };
const V6 = { address: "2001:db8::5", ipVersion: 6 as const };
const RELAYED = (count: number): RelayPorts[] =>
  Array.from({ length: count }, (_, index) => ({ rtp: 20000 + 2 * index, rtcp: 20001 + 2 * index }));

/** A desk phone offering G.711, G.729 and G.722 with DTMF events: the call most SDP on a B2BUA looks like. */
const DESK_PHONE = sdp(
  "v=0",
  "o=- 20009 20009 IN IP4 192.168.1.101",
  "s=SDP data",
  "c=IN IP4 192.168.1.101",
  "t=0 0",
  "m=audio 11796 RTP/AVP 0 8 18 9 101",
  "a=rtpmap:0 PCMU/8000",
  "a=rtpmap:8 PCMA/8000",
  "a=rtpmap:18 G729/8000",
  "a=fmtp:18 annexb=no",
  "a=rtpmap:9 G722/8000",
  "a=fmtp:101 0-15",
  "a=rtpmap:101 telephone-event/8000",
  "a=ptime:20",
  "a=sendrecv",
);

/** A browser's offer: ICE candidates, DTLS, BUNDLE, a=rtcp, a=ssrc and a=tool, audio and video. */
const WEBRTC_OFFER = sdp(
  "v=0",
  "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
  "s=-",
  "t=0 0",
  "a=group:BUNDLE 0 1",
  "a=extmap-allow-mixed",
  "a=msid-semantic: WMS stream1",
  "a=tool:Chromium 120",
  "a=ice-options:trickle",
  "m=audio 54400 UDP/TLS/RTP/SAVPF 111 0 8 126",
  "c=IN IP4 198.51.100.7",
  "a=rtcp:54401 IN IP4 198.51.100.7",
  "a=candidate:1162875081 1 udp 2113937151 192.168.34.75 54400 typ host generation 0 network-id 1 network-cost 10",
  "a=candidate:1162875081 2 udp 2113937150 192.168.34.75 54401 typ host generation 0 network-id 1 network-cost 10",
  "a=candidate:3289912957 1 udp 1845501695 198.51.100.7 54400 typ srflx raddr 192.168.34.75 rport 54400 generation 0 network-id 1 network-cost 10",
  "a=candidate:229815620 1 tcp 1518280447 192.168.34.75 9 typ host tcptype active generation 0",
  "a=ice-ufrag:F7gI",
  "a=ice-pwd:x9cml/YzichV2+XlhiMu8g",
  "a=fingerprint:sha-256 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:5E:EA:6F:AF:52:CE:E6:0F",
  "a=setup:actpass",
  "a=mid:0",
  "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
  "a=sendrecv",
  "a=msid:stream1 track1",
  "a=rtcp-mux",
  "a=rtpmap:111 opus/48000/2",
  "a=rtcp-fb:111 transport-cc",
  "a=fmtp:111 minptime=10;useinbandfec=1",
  "a=rtpmap:0 PCMU/8000",
  "a=rtpmap:8 PCMA/8000",
  "a=rtpmap:126 telephone-event/8000",
  "a=ssrc:3735928559 cname:4TOk42mSjXCkVIa6",
  "a=ssrc:3735928559 msid:stream1 track1",
  "m=video 54402 UDP/TLS/RTP/SAVPF 96 97",
  "c=IN IP4 198.51.100.7",
  "b=AS:2500",
  "a=rtcp:54403 IN IP4 198.51.100.7",
  "a=candidate:1162875081 1 udp 2113937151 192.168.34.75 54402 typ host generation 0",
  "a=end-of-candidates",
  "a=ice-ufrag:F7gI",
  "a=ice-pwd:x9cml/YzichV2+XlhiMu8g",
  "a=mid:1",
  "a=sendrecv",
  "a=rtcp-mux",
  "a=rtcp-rsize",
  "a=rtpmap:96 VP8/90000",
  "a=rtcp-fb:96 goog-remb",
  "a=rtcp-fb:96 nack",
  "a=rtcp-fb:96 nack pli",
  "a=rtpmap:97 rtx/90000",
  "a=fmtp:97 apt=96",
  "a=ssrc-group:FID 1111 2222",
  "a=ssrc:1111 cname:4TOk42mSjXCkVIa6",
  "a=ssrc:2222 cname:4TOk42mSjXCkVIa6",
);

/** An ICE agent's answer naming the candidates it picked, and an ice-lite session. */
const ICE_ANSWER = sdp(
  "v=0",
  "o=answerer 99 100 IN IP4 198.51.100.9",
  "s=call",
  "c=IN IP4 198.51.100.9",
  "t=0 0",
  "a=ice-lite",
  "a=ice-ufrag:Zz9a",
  "a=ice-pwd:kD1oYlqeD7Q1N9n0uBAV1z",
  "m=audio 31000 RTP/SAVP 0 101",
  "a=remote-candidates:1 198.51.100.7 54400",
  "a=candidate:1 1 UDP 2130706431 198.51.100.9 31000 typ host",
  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32",
  "a=rtpmap:0 PCMU/8000",
  "a=rtpmap:101 telephone-event/8000",
  "a=fmtp:101 0-16",
  "a=ice-mismatch",
  "a=sendrecv",
);

/** c= only in each media description, no session-level one (RFC 4566 §5.7 allows either). */
const MEDIA_CONNECTIONS_ONLY = sdp(
  "v=0",
  "o=carol 7 7 IN IP4 10.20.30.40",
  "s=-",
  "t=0 0",
  "m=audio 6000 RTP/AVP 8 101",
  "c=IN IP4 10.20.30.40",
  "a=rtpmap:8 PCMA/8000",
  "a=rtpmap:101 telephone-event/8000",
  "a=rtcp:6001",
  "m=audio 6002 RTP/AVP 0",
  "c=IN IP4 10.20.30.41",
  "a=rtpmap:0 PCMU/8000",
  "a=recvonly",
);

/** A phone on hold the RFC 2543 way, at session and media level, with a=sendonly beside it. */
const HOLD = sdp(
  "v=0",
  "o=bob 1 3 IN IP4 10.9.9.9",
  "s=-",
  "c=IN IP4 0.0.0.0",
  "t=0 0",
  "a=sendonly",
  "m=audio 30000 RTP/AVP 0",
  "c=IN IP4 0.0.0.0",
  "a=rtcp:30001 IN IP4 0.0.0.0",
  "a=rtpmap:0 PCMU/8000",
);

/** An IPv6 phone, with an IPv6 hold on its second line. */
const IPV6_PHONE = sdp(
  "v=0",
  "o=dave 5 5 IN IP6 2001:db8::10",
  "s=-",
  "c=IN IP6 2001:db8::10",
  "t=0 0",
  "m=audio 5000 RTP/AVP 9",
  "a=rtcp:5001 IN IP6 2001:db8::10",
  "a=rtpmap:9 G722/8000",
  "m=audio 5002 RTP/AVP 0",
  "c=IN IP6 ::",
  "a=rtpmap:0 PCMU/8000",
);

/** A fax gateway switching to T.38, whose attributes sdp-transform does not know. */
const T38_REINVITE = sdp(
  "v=0",
  "o=gw 100 101 IN IP4 172.16.0.8",
  "s=fax",
  "c=IN IP4 172.16.0.8",
  "b=CT:128",
  "t=0 0",
  "m=image 40000 udptl t38",
  "b=AS:64",
  "b=TIAS:64000",
  "a=T38FaxVersion:0",
  "a=T38MaxBitRate:14400",
  "a=T38FaxRateManagement:transferredTCF",
  "a=T38FaxMaxBuffer:262",
  "a=T38FaxMaxDatagram:176",
  "a=T38FaxUdpEC:t38UDPRedundancy",
  "a=silenceSupp:off - - - -",
);

/**
 * Where the two knowingly differ, no fixture goes: the line editor keeps bytes the writer
 * normalised (`a=ptime:20.0`, a zero-padded o= version, trailing blanks, `b=` types the grammar
 * lacks, an m= line without formats), keeps every copy of a repeated line (the writer kept the
 * last `t=`, `a=sendrecv` ...), and drops ICE, `a=ssrc` and `a=tool` at whichever level they
 * appear and however malformed (the writer kept session-level candidates and `a=ssrc`,
 * media-level `a=ice-lite`, and candidates its grammar could not read). It also no longer turns
 * `a=rtcp-mux-only` into `a=rtcp-mux` nor `a=msid:<id>` into `a=msid:<id> undefined`.
 */
const FIXTURES: Record<string, string> = {
  DESK_PHONE,
  WEBRTC_OFFER,
  ICE_ANSWER,
  MEDIA_CONNECTIONS_ONLY,
  HOLD,
  IPV6_PHONE,
  T38_REINVITE,
  DISABLED_WITH_CONNECTION,
  SOFTPHONE: SOFTPHONE_OFFER,
  PHONE_OFFER,
  "DESK_PHONE with LF line ends": DESK_PHONE.replaceAll("\r\n", "\n"),
  "DESK_PHONE without s=": DESK_PHONE.replace("s=SDP data\r\n", ""),
  "DESK_PHONE with an old k= line": DESK_PHONE.replace("t=0 0\r\n", "t=0 0\r\nk=clear:secret\r\n"),
};

describe("rewriteSdp against the clone-and-write rewrite it replaced", () => {
  for (const [name, text] of Object.entries(FIXTURES)) {
    const count = readSdp(text).media.length;
    const plans: Record<string, SdpRewrite> = {
      "every line relayed, origin hidden": { ...V4, replaceOrigin: true, ports: RELAYED(count) },
      "every line relayed, origin kept": { ...V4, replaceOrigin: false, ports: RELAYED(count) },
      "an IPv6 relay": { ...V6, replaceOrigin: true, ports: RELAYED(count) },
      "only the first line relayed": { ...V4, replaceOrigin: true, ports: RELAYED(1) },
      "no line relayed": { ...V6, replaceOrigin: false, ports: [] },
    };
    for (const [planName, plan] of Object.entries(plans)) {
      test(`when ${name} is rewritten with ${planName}, then the far phone gets the same SDP as before`, () => {
        assertRewritesAlike(text, plan, `${name} / ${planName}`);
      });
    }
  }

  test("when phones send any mix of the lines they commonly send, then the far phone gets the same SDP as before", () => {
    const connection = fc.constantFrom(
      "c=IN IP4 192.168.1.20",
      "c=IN IP4 0.0.0.0",
      "c=IN IP6 2001:db8::10",
      "c=IN IP6 ::",
    );
    const sessionAttributes = fc.shuffledSubarray([
      "a=ice-lite",
      "a=ice-options:trickle",
      "a=ice-ufrag:8hhY",
      "a=ice-pwd:asd88fgpdd777uzjYhagZg",
      "a=tool:softphone 2.1",
      "a=group:BUNDLE 0 1",
      "a=msid-semantic: WMS s1",
      "a=sendonly",
      "a=x-session-vendor:1",
      "b=AS:256",
    ]);
    const mediaAttributes = fc.shuffledSubarray([
      "a=rtpmap:0 PCMU/8000",
      "a=rtpmap:8 PCMA/8000",
      "a=rtpmap:101 telephone-event/8000",
      "a=fmtp:101 0-16",
      "a=ptime:20",
      "a=maxptime:40",
      "a=inactive",
      "a=rtcp-mux",
      "a=mid:0",
      "a=ice-ufrag:8hhY",
      "a=ice-pwd:asd88fgpdd777uzjYhagZg",
      "a=ice-mismatch",
      "a=candidate:1 1 UDP 2130706431 192.168.1.20 49170 typ host",
      "a=candidate:2 1 UDP 1694498815 198.51.100.7 61000 typ srflx raddr 192.168.1.20 rport 49170",
      "a=end-of-candidates",
      "a=remote-candidates:1 198.51.100.7 54400",
      "a=ssrc:42 cname:alice@192.168.1.20",
      "a=ssrc-group:FID 42 43",
      "a=tool:softphone 2.1",
      "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",
      "a=x-vendor-thing:42",
      "b=AS:80",
    ]);
    const media = fc.record({
      line: fc.constantFrom(
        "m=audio 49170 RTP/AVP 0 8 101",
        "m=audio 0 RTP/AVP 0",
        "m=video 5004 UDP/TLS/RTP/SAVPF 96",
        "m=image 40000 udptl t38",
      ),
      connection: fc.option(connection, { nil: undefined }),
      rtcp: fc.constantFrom(
        [],
        ["a=rtcp:49171"],
        ["a=rtcp:49171 IN IP4 192.168.1.20"],
        ["a=rtcp:49171 IN IP6 ::"],
      ),
      attributes: mediaAttributes,
    });
    const relayPorts = fc.option(fc.constant({ rtp: 20000, rtcp: 20001 }), { nil: undefined });
    fc.assert(
      fc.property(
        fc.option(connection, { nil: undefined }),
        sessionAttributes,
        fc.array(media, { minLength: 1, maxLength: 3 }),
        fc.array(relayPorts, { maxLength: 3 }),
        fc.boolean(),
        fc.boolean(),
        (sessionConnection, sessionLines, medias, ports, replaceOrigin, ipv6) => {
          const text = sdp(
            "v=0",
            "o=alice 2890844526 2890844527 IN IP4 192.168.1.20",
            "s=Talk",
            ...(sessionConnection === undefined ? [] : [sessionConnection]),
            "t=0 0",
            ...sessionLines,
            ...medias.flatMap((m) => [
              m.line,
              ...(m.connection === undefined ? [] : [m.connection]),
              ...m.rtcp,
              ...m.attributes,
            ]),
          );
          try {
            readSdp(text);
          } catch {
            return;
          }
          assertRewritesAlike(text, { ...(ipv6 ? V6 : V4), replaceOrigin, ports });
        },
      ),
      { numRuns: 500 },
    );
  });
});
