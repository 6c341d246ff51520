import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkRequest } from "./checks.ts";
import { parseMessage } from "./parse-message.ts";
import type { SipRequest } from "./types.ts";

const enc = new TextEncoder();

function request(method: string, extra = "", body = "", uri = "sip:bob@example.com"): SipRequest {
  return parseMessage(
    enc.encode(
      `${method} ${uri} SIP/2.0\r\n` +
        "Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds\r\n" +
        "Max-Forwards: 70\r\n" +
        "To: <sip:bob@example.com>\r\n" +
        "From: <sip:alice@example.com>;tag=1928301774\r\n" +
        "Call-ID: a84b4c76e66710@pc33.example.com\r\n" +
        `CSeq: 1 ${method}\r\n` +
        extra +
        `Content-Length: ${body.length}\r\n\r\n${body}`,
    ),
  ) as SipRequest;
}

describe("checkRequest", () => {
  test("when a well-formed request arrives, then it may be processed", () => {
    assert.equal(checkRequest(request("INVITE", "Content-Type: application/sdp\r\n", "v=0\r\n")), null);
    assert.equal(checkRequest(request("INVITE"), { role: "proxy" }), null);
  });

  test("when a mandatory header is malformed, then the answer is 400 with the parse error's reason", () => {
    const bad = request("OPTIONS").headers.clone();
    bad.set("CSeq", "one OPTIONS");
    assert.deepEqual(checkRequest({ ...request("OPTIONS"), headers: bad }), {
      status: 400,
      reason: "Malformed CSeq",
    });
  });

  test("when a tel Request-URI arrives and tel is served, then it passes; otherwise 416", () => {
    const tel = request("INVITE", "", "", "tel:+15551234567");
    assert.equal(checkRequest(tel, { supportedUriSchemes: ["sip", "sips", "tel"] }), null);
    assert.equal(checkRequest(tel)?.status, 416);
  });

  test("when the method is not served, then a known method gets 405 with Allow and an unknown one 501", () => {
    const allowedMethods = ["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS"];
    assert.deepEqual(checkRequest(request("SUBSCRIBE"), { allowedMethods }), {
      status: 405,
      reason: "Method Not Allowed",
      extraHeaders: [["Allow", "INVITE, ACK, BYE, CANCEL, OPTIONS"]],
    });
    assert.equal(checkRequest(request("FROBNICATE"), { allowedMethods })?.status, 501);
    assert.equal(checkRequest(request("BYE"), { allowedMethods }), null);
  });

  test("when Require names only supported extensions, then it passes; on CANCEL it is ignored", () => {
    assert.equal(
      checkRequest(request("INVITE", "Require: 100rel, Timer\r\n"), {
        supportedExtensions: ["100rel", "timer"],
      }),
      null,
    );
    assert.equal(checkRequest(request("CANCEL", "Require: weird\r\n")), null);
    assert.deepEqual(
      checkRequest(request("INVITE", "Require: 100rel, weird\r\n"), { supportedExtensions: ["100rel"] }),
      {
        status: 420,
        reason: "Bad Extension",
        extraHeaders: [["Unsupported", "weird"]],
      },
    );
  });

  test("when a UAS gets Proxy-Require, then it ignores it; a proxy refuses unknown tags", () => {
    const r = request("INVITE", "Proxy-Require: foo\r\n");
    assert.equal(checkRequest(r), null);
    assert.equal(checkRequest(r, { role: "proxy" })?.status, 420);
  });

  test("when the body encoding is not understood, then 415 lists the accepted encodings", () => {
    const r = request("INVITE", "Content-Type: application/sdp\r\nContent-Encoding: gzip\r\n", "xx");
    assert.deepEqual(checkRequest(r), {
      status: 415,
      reason: "Unsupported Media Type",
      extraHeaders: [["Accept-Encoding", "identity"]],
    });
    assert.equal(checkRequest(r, { supportedContentEncodings: ["gzip"] }), null);
  });

  test("when a body of an unknown type is optional, then the request passes", () => {
    const r = request(
      "INVITE",
      "Content-Type: application/x-foo\r\nContent-Disposition: render;handling=optional\r\n",
      "x",
    );
    assert.equal(checkRequest(r), null);
  });

  test("when a body has no Content-Type, then the answer is 400", () => {
    assert.equal(checkRequest(request("MESSAGE", "", "hello"))?.status, 400);
  });

  test("when Accept allows SDP through a wildcard or parameters, then the INVITE passes", () => {
    assert.equal(checkRequest(request("INVITE", "Accept: application/*\r\n")), null);
    assert.equal(checkRequest(request("INVITE", "Accept: text/plain, application/sdp;level=1\r\n")), null);
    assert.equal(checkRequest(request("INVITE", "Accept: text/plain\r\n"))?.status, 406);
  });

  test("when Max-Forwards is zero, then a proxy answers 483 and one hop left still passes", () => {
    const zero = request("INVITE").headers.clone();
    zero.set("Max-Forwards", "0");
    assert.equal(checkRequest({ ...request("INVITE"), headers: zero }, { role: "proxy" })?.status, 483);
    const one = request("INVITE").headers.clone();
    one.set("Max-Forwards", "1");
    assert.equal(checkRequest({ ...request("INVITE"), headers: one }, { role: "proxy" }), null);
  });
});
