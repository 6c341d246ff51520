import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseNameAddr } from "../grammar/name-addr.ts";
import { parseVia } from "../grammar/via.ts";
import { createRequest } from "./create-request.ts";
import { createResponse } from "./create-response.ts";
import { parseMessage } from "./parse-message.ts";
import { serializeMessage, serializeMessageToString } from "./serialize-message.ts";
import type { SipRequest, SipResponse } from "./types.ts";

const enc = new TextEncoder();

const incoming = (extra = ""): SipRequest =>
  parseMessage(
    enc.encode(
      "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8;received=192.0.2.1\r\n" +
        "v: SIP/2.0/TCP client.atlanta.example.com;branch=z9hG4bK74bf9\r\n" +
        "Max-Forwards: 70\r\n" +
        "To: Bob <sip:bob@biloxi.example.com>\r\n" +
        "From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\n" +
        "Call-ID: 3848276298220188511@atlanta.example.com\r\n" +
        "CSeq: 1 INVITE\r\n" +
        "Timestamp: 54\r\n" +
        extra +
        "Content-Length: 0\r\n\r\n",
    ),
  ) as SipRequest;

describe("createResponse", () => {
  test("when a response is created, then Via, From, To, Call-ID and CSeq are copied as §8.2.6.2 says", () => {
    const request = incoming();
    const response = createResponse(request, 486);
    assert.equal(response.reason, "Busy Here");
    assert.deepEqual(response.headers.getRaw("via"), request.headers.getRaw("via"));
    assert.equal(response.headers.first("from"), request.headers.first("from"));
    assert.equal(response.headers.first("call-id"), request.headers.first("call-id"));
    assert.equal(response.headers.first("cseq"), request.headers.first("cseq"));
    assert.deepEqual(response.headers.to().uri, request.headers.to().uri);
    assert.ok((response.headers.to().params.get("tag") ?? "").length >= 8);
    assert.equal(response.headers.has("timestamp"), false);
  });

  test("when the request's To already has a tag, then the response keeps exactly that To", () => {
    const request = incoming().headers.clone();
    request.set("To", "Bob <sip:bob@biloxi.example.com>;tag=existing");
    const response = createResponse({ ...incoming(), headers: request }, 200, undefined, { toTag: "other" });
    assert.equal(response.headers.first("to"), "Bob <sip:bob@biloxi.example.com>;tag=existing");
  });

  test("when a 100 Trying is created, then it has no To tag and copies Timestamp", () => {
    const response = createResponse(incoming(), 100);
    assert.equal(response.headers.to().params.has("tag"), false);
    assert.equal(response.headers.first("timestamp"), "54");
  });

  test("when the UAS chooses the To tag, then that tag is used", () => {
    assert.equal(
      createResponse(incoming(), 180, "Ringing", { toTag: "t1" }).headers.to().params.get("tag"),
      "t1",
    );
  });

  test("when a response carries a body, then Content-Type and Content-Length describe it", () => {
    const response = createResponse(incoming(), 200, "OK", {
      body: "v=0\r\n",
      contentType: "application/sdp",
    });
    const wire = parseMessage(serializeMessage(response)) as SipResponse;
    assert.equal(wire.status, 200);
    assert.equal(wire.headers.contentLength(), 5);
    assert.equal(wire.headers.first("content-type"), "application/sdp");
    assert.equal(Buffer.from(wire.body).toString(), "v=0\r\n");
  });

  test("when extra headers are given, then they are added, e.g. Unsupported on a 420", () => {
    const response = createResponse(incoming(), 420, undefined, { headers: [["Unsupported", "foo"]] });
    assert.equal(response.reason, "Bad Extension");
    assert.equal(response.headers.first("unsupported"), "foo");
  });
});

describe("createRequest", () => {
  test("when a request is created, then it has every mandatory header and a From tag", () => {
    const request = createRequest({
      method: "OPTIONS",
      uri: "sip:carrier.example.net",
      from: parseNameAddr("Zaqros <sip:probe@zaqros.example>"),
      to: parseNameAddr("<sip:carrier.example.net>"),
      via: parseVia("SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKabc;rport"),
      contact: parseNameAddr("<sip:probe@192.0.2.10:5060>"),
      headers: [["User-Agent", "Zaqros"]],
    });
    const wire = parseMessage(serializeMessage(request), { validate: true }) as SipRequest;
    assert.equal(wire.method, "OPTIONS");
    assert.equal(wire.uriText, "sip:carrier.example.net");
    assert.equal(wire.headers.maxForwards(), 70);
    assert.deepEqual(wire.headers.cseq(), { seq: 1, method: "OPTIONS" });
    assert.ok(wire.headers.callId().length >= 16);
    assert.ok(wire.headers.from().params.get("tag"));
    assert.equal(wire.headers.from().displayName, "Zaqros");
    assert.equal(wire.headers.topVia()?.params.get("branch"), "z9hG4bKabc");
    assert.equal(wire.headers.first("user-agent"), "Zaqros");
    assert.equal(wire.headers.contentLength(), 0);
  });

  test("when the URI is given as a value, then uriText is its formatted text", () => {
    const request = createRequest({
      method: "MESSAGE",
      uri: parseNameAddr("<sip:b%20ob@example.com;transport=tcp>").uri,
      from: parseNameAddr("<sip:a@example.com>;tag=x"),
      to: parseNameAddr("<sip:b@example.com>"),
      callId: "fixed",
      cseq: 7,
      body: "hi",
      contentType: "text/plain",
    });
    assert.equal(request.uriText, "sip:b%20ob@example.com;transport=tcp");
    assert.equal(request.headers.from().params.get("tag"), "x");
    assert.match(
      serializeMessageToString(request),
      /^MESSAGE sip:b%20ob@example.com;transport=tcp SIP\/2.0\r\n[\s\S]*CSeq: 7 MESSAGE\r\n[\s\S]*\r\n\r\nhi$/,
    );
  });

  test("when a body has no Content-Type, then createRequest refuses it", () => {
    assert.throws(
      () =>
        createRequest({
          method: "MESSAGE",
          uri: "sip:b@example.com",
          from: parseNameAddr("<sip:a@example.com>"),
          to: parseNameAddr("<sip:b@example.com>"),
          body: "hi",
        }),
      TypeError,
    );
  });
});

describe("serializeMessage", () => {
  test("when a parsed message is serialized, then unknown headers go out exactly as they came", () => {
    const request = incoming('X-Weird:   a;;b,,"c"  \r\nNewFangled: v\r\n');
    const text = serializeMessageToString(request);
    assert.match(text, /\r\nX-Weird: a;;b,,"c"\r\nNewFangled: v\r\n/);
  });

  test("when a reason phrase holds a line break, then the status line stays one line", () => {
    const text = serializeMessageToString(createResponse(incoming(), 403, "Go away\r\nX-Injected: 1"));
    assert.match(text, /^SIP\/2.0 403 Go away {2}X-Injected: 1\r\n/);
    assert.equal(parseMessage(enc.encode(text)).headers.has("x-injected"), false);
  });

  test("when the body changes, then Content-Length follows the body", () => {
    const request = incoming();
    const changed: SipRequest = { ...request, body: enc.encode("abc") };
    const text = serializeMessageToString(changed);
    assert.match(text, /\r\nContent-Length: 3\r\n\r\nabc$/);
    assert.equal(text.match(/Content-Length/g)?.length, 1);
  });

  test("when the body is binary, then its bytes are written unchanged", () => {
    const request: SipRequest = { ...incoming(), body: Uint8Array.of(0, 0xff, 0x80, 13, 10) };
    const out = serializeMessage(request);
    assert.deepEqual([...out.subarray(out.length - 5)], [0, 0xff, 0x80, 13, 10]);
  });

  test("when a header holds UTF-8 text, then it is written as UTF-8", () => {
    const request = incoming('Subject: Grüße "☎"\r\n');
    const reparsed = parseMessage(serializeMessage(request));
    assert.equal(reparsed.headers.first("subject"), 'Grüße "☎"');
  });
});
