import assert from "node:assert/strict";
import { test } from "node:test";
import { rfc3261_8_2_6_badRequestResponse } from "./bad-request-response.ts";

const request = [
  "INVITE sip:bob@biloxi.example.com SIP/2.0",
  "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8",
  "v: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK77",
  "Max-Forwards: seventy",
  "To: Bob <sip:bob@biloxi.example.com>",
  "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774",
  "Call-ID: a84b4c76e66710",
  "CSeq: 314159 INVITE",
  "Content-Length: 0",
  "",
  "",
].join("\r\n");

function text(bytes: Uint8Array | undefined): string {
  assert.ok(bytes, "a response was formed");
  return Buffer.from(bytes).toString("latin1");
}

test("when a request is malformed but carries the headers to copy, then a 400 with the reason phrase echoes them", () => {
  const response = text(
    rfc3261_8_2_6_badRequestResponse(Buffer.from(request), 400, "Malformed Max-Forwards"),
  );
  const lines = response.split("\r\n");
  assert.equal(lines[0], "SIP/2.0 400 Malformed Max-Forwards");
  assert.deepEqual(
    lines.filter((l) => l.startsWith("Via:")),
    [
      "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8",
      "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK77",
    ],
  );
  assert.ok(lines.includes("From: Alice <sip:alice@atlanta.example.com>;tag=1928301774"));
  assert.ok(lines.includes("Call-ID: a84b4c76e66710"));
  assert.ok(lines.includes("CSeq: 314159 INVITE"));
  assert.match(
    lines.find((l) => l.startsWith("To:")) ?? "",
    /^To: Bob <sip:bob@biloxi\.example\.com>;tag=[0-9a-f]+$/,
  );
  assert.ok(response.endsWith("Content-Length: 0\r\n\r\n"));
});

test("when the To header already has a tag, then it is kept as is", () => {
  const tagged = request.replace(
    "To: Bob <sip:bob@biloxi.example.com>",
    "t: <sip:bob@biloxi.example.com>;tag=abc",
  );
  const response = text(rfc3261_8_2_6_badRequestResponse(Buffer.from(tagged), 400, "Bad Request"));
  assert.ok(response.includes("\r\nTo: <sip:bob@biloxi.example.com>;tag=abc\r\n"));
});

test("when the reason phrase holds control characters, then they are left out", () => {
  const response = text(rfc3261_8_2_6_badRequestResponse(Buffer.from(request), 400, "Bad\r\nInjected: yes"));
  assert.equal(response.split("\r\n")[0], "SIP/2.0 400 BadInjected: yes");
});

test("when the bytes are not a request, a required header is missing, or the request is an ACK, then no response is formed", () => {
  const cases = [
    "\u0000\u0001garbage",
    "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n",
    request.replace("Call-ID: a84b4c76e66710\r\n", ""),
    request.replace(/^INVITE/, "ACK").replace("314159 INVITE", "314159 ACK"),
    request.replace("Call-ID: a84b4c76e66710", "Call-ID: a84b\u0000c76"),
  ];
  for (const bytes of cases) {
    assert.equal(
      rfc3261_8_2_6_badRequestResponse(Buffer.from(bytes, "latin1"), 400, "Bad Request"),
      undefined,
      bytes,
    );
  }
});

test("when header values hold bytes that are not UTF-8, then they are echoed byte for byte", () => {
  const withByte = Buffer.from(request.replace("Call-ID: a84b4c76e66710", "Call-ID: a84b\u00ff"), "latin1");
  const response = rfc3261_8_2_6_badRequestResponse(withByte, 400, "Invalid UTF-8");
  assert.ok(response);
  assert.ok(Buffer.from(response).includes(Buffer.from([0x61, 0x38, 0x34, 0x62, 0xff, 0x0d, 0x0a])));
});
