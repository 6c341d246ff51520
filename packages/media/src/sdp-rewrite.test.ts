import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { MediaError } from "./media-error.ts";
import { readSdp } from "./sdp-media.ts";
import { rewriteSdp } from "./sdp-rewrite.ts";
import { DISABLED_WITH_CONNECTION, PHONE_OFFER, SOFTPHONE_OFFER } from "./testing/phone-offer.ts";

const RELAY = { address: "203.0.113.5", ipVersion: 4 as const, replaceOrigin: true };

function lines(sdp: string): string[] {
  return sdp.split("\r\n").filter((line) => line !== "");
}

describe("readSdp", () => {
  test("when a phone offers audio with a=rtcp, then the relay learns its RTP and RTCP endpoints", () => {
    const [audio, video] = readSdp(PHONE_OFFER).media;
    assert.deepEqual(audio?.rtp, { address: "192.168.1.20", port: 49170 });
    assert.deepEqual(audio?.rtcp, { address: "192.168.1.20", port: 49171 });
    assert.equal(audio?.relayed, true);
    assert.equal(audio?.direction, "sendrecv");
    assert.equal(video?.relayed, false);
  });

  test("when no a=rtcp is given, then RTCP is expected on the RTP port plus one", () => {
    const sdp =
      "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
    assert.deepEqual(readSdp(sdp).media[0]?.rtcp, { address: "10.0.0.1", port: 4001 });
  });

  test("when the phone puts the call on hold with c=0.0.0.0, then no endpoint is learnt", () => {
    const sdp = PHONE_OFFER.replaceAll("c=IN IP4 192.168.1.20", "c=IN IP4 0.0.0.0").replace(
      "a=rtcp:49171 IN IP4 192.168.1.20",
      "a=rtcp:49171",
    );
    const [audio] = readSdp(sdp).media;
    assert.equal(audio?.relayed, true);
    assert.equal(audio?.rtp, undefined);
    assert.equal(audio?.rtcp, undefined);
  });

  test("when the session direction is sendonly and the media line has none, then the line is sendonly", () => {
    const sdp =
      "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\na=sendonly\r\nm=audio 4000 RTP/AVP 0\r\n";
    assert.equal(readSdp(sdp).media[0]?.direction, "sendonly");
  });

  test("when the body is not SDP, has no media, or lacks a connection address, then it is refused with MEDIA.INVALID_SDP", () => {
    for (const body of [
      "",
      "hello world",
      "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n",
      "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n",
      "v=0\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 70000 RTP/AVP 0\r\n",
    ]) {
      assert.throws(
        () => readSdp(body),
        (error) => error instanceof MediaError && error.code === "MEDIA.INVALID_SDP",
        JSON.stringify(body),
      );
    }
  });
});

describe("rewriteSdp", () => {
  const rewritten = lines(
    rewriteSdp(readSdp(PHONE_OFFER), { ...RELAY, ports: [{ rtp: 20000, rtcp: 20001 }, undefined] }),
  );

  test("when an offer is rewritten, then session and media c= lines carry the relay's address", () => {
    assert.deepEqual(
      rewritten.filter((line) => line.startsWith("c=")),
      ["c=IN IP4 203.0.113.5", "c=IN IP4 203.0.113.5"],
    );
  });

  test("when an offer is rewritten, then the m= port and a=rtcp are the relay's", () => {
    assert.ok(rewritten.includes("m=audio 20000 RTP/AVP 0 8 101"));
    assert.ok(rewritten.includes("a=rtcp:20001 IN IP4 203.0.113.5"));
  });

  test("when an offer is rewritten, then no ICE attribute and no address of the phone is left", () => {
    assert.deepEqual(
      rewritten.filter((line) => /^a=(candidate|ice-|end-of-candidates|remote-candidates)/.test(line)),
      [],
    );
    assert.ok(!rewritten.some((line) => line.includes("192.168.1.20") || line.includes("198.51.100.7")));
    assert.ok(rewritten.includes("o=- 2890844526 2890844527 IN IP4 203.0.113.5"));
  });

  test("when an offer is rewritten, then codecs, bandwidth, crypto, direction and unknown attributes are kept", () => {
    for (const kept of [
      "a=rtpmap:0 PCMU/8000",
      "a=rtpmap:101 telephone-event/8000",
      "a=fmtp:101 0-16",
      "a=ptime:20",
      "b=AS:80",
      "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",
      "a=x-vendor-thing:42",
      "a=sendrecv",
      "s=-",
      "t=0 0",
    ]) {
      assert.ok(rewritten.includes(kept), kept);
    }
  });

  test("when a disabled line has its own c=, then it carries the relay's address, not the phone's", () => {
    const out = lines(
      rewriteSdp(readSdp(DISABLED_WITH_CONNECTION), {
        ...RELAY,
        ports: [{ rtp: 20000, rtcp: 20001 }, undefined],
      }),
    );
    assert.ok(!out.some((line) => line.includes("192.168.7.7")), out.join("\n"));
    assert.deepEqual(
      out.filter((line) => line.startsWith("c=")),
      ["c=IN IP4 203.0.113.5", "c=IN IP4 203.0.113.5"],
    );
    assert.ok(out.includes("m=video 0 RTP/AVP 96"));
  });

  test("when a line is not relayed, then it stays disabled with port 0", () => {
    assert.ok(rewritten.includes("m=video 0 RTP/AVP 96"));
  });

  test("when an answer without a=rtcp is rewritten, then no a=rtcp is added", () => {
    const answer =
      "v=0\r\no=bob 1 1 IN IP4 10.9.9.9\r\ns=-\r\nc=IN IP4 10.9.9.9\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\na=sendrecv\r\n";
    const out = lines(rewriteSdp(readSdp(answer), { ...RELAY, ports: [{ rtp: 20010, rtcp: 20011 }] }));
    assert.deepEqual(out, [
      "v=0",
      "o=- 1 1 IN IP4 203.0.113.5",
      "s=-",
      "c=IN IP4 203.0.113.5",
      "t=0 0",
      "m=audio 20010 RTP/AVP 0",
      "a=sendrecv",
    ]);
  });

  test("when the phone holds with c=0.0.0.0, then the far side is told 0.0.0.0 too", () => {
    const hold =
      "v=0\r\no=bob 1 2 IN IP4 10.9.9.9\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n";
    const out = lines(rewriteSdp(readSdp(hold), { ...RELAY, ports: [{ rtp: 20010, rtcp: 20011 }] }));
    assert.ok(out.includes("c=IN IP4 0.0.0.0"));
    assert.ok(out.includes("m=audio 20010 RTP/AVP 0"));
  });

  test("when the relay has an IPv6 address, then IPv4 phone SDP is rewritten to IP6 lines", () => {
    const out = lines(
      rewriteSdp(readSdp(PHONE_OFFER), {
        address: "2001:db8::5",
        ipVersion: 6,
        replaceOrigin: true,
        ports: [{ rtp: 20000, rtcp: 20001 }],
      }),
    );
    assert.ok(out.includes("c=IN IP6 2001:db8::5"));
    assert.ok(out.includes("a=rtcp:20001 IN IP6 2001:db8::5"));
    assert.ok(out.includes("o=- 2890844526 2890844527 IN IP6 2001:db8::5"));
  });

  test("when replaceOrigin is off, then the o= line is passed on as it came", () => {
    const out = rewriteSdp(readSdp(PHONE_OFFER), { ...RELAY, replaceOrigin: false, ports: [] });
    assert.ok(lines(out).includes("o=alice 2890844526 2890844527 IN IP4 192.168.1.20"));
  });

  test("when a phone's SDP names its user and software, then the other leg sees none of it", () => {
    const out = rewriteSdp(readSdp(SOFTPHONE_OFFER), { ...RELAY, ports: [{ rtp: 20000, rtcp: 20001 }] });
    assert.ok(!out.includes("zq27686730"), out);
    assert.ok(!out.includes("baresip"), out);
    assert.ok(!out.includes("a=ssrc"), out);
    assert.ok(lines(out).includes("o=- 1 2 IN IP4 203.0.113.5"));
    assert.ok(lines(out).includes("s=-"));
    assert.ok(lines(out).includes("a=sendrecv"), "media attributes stay");
  });

  test("when a phone's SDP holds lines of any content, then the rewrite throws nothing and answers with CRLF-ended SDP lines", () => {
    const anyLine = fc.oneof(
      fc.string(),
      fc
        .tuple(
          fc.constantFrom("v=", "o=", "s=", "c=", "t=", "m=", "a=", "a=rtcp:", "a=ice-", "b=", "k="),
          fc.string(),
        )
        .map(([prefix, rest]) => prefix + rest),
    );
    fc.assert(
      fc.property(fc.array(anyLine, { maxLength: 12 }), fc.constantFrom("\r\n", "\n", "\r"), (extra, eol) => {
        const text = [...PHONE_OFFER.split("\r\n").slice(0, -1), ...extra].join(eol);
        let view: ReturnType<typeof readSdp>;
        try {
          view = readSdp(text);
        } catch (error) {
          assert.ok(error instanceof MediaError && error.code === "MEDIA.INVALID_SDP", String(error));
          return;
        }
        const out = rewriteSdp(view, { ...RELAY, ports: [{ rtp: 20000, rtcp: 20001 }] });
        assert.ok(out.endsWith("\r\n"));
        for (const line of out.slice(0, -2).split("\r\n")) assert.match(line, /^[a-z]=/);
      }),
    );
  });
});
