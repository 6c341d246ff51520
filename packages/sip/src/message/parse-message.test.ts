import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SipParseError, type SipParseErrorCode } from "../grammar/sip-parse-error.ts";
import { parseMessage } from "./parse-message.ts";
import type { SipRequest, SipResponse } from "./types.ts";

const enc = new TextEncoder();
const bytes = (text: string): Uint8Array => enc.encode(text);

const options = (extra = "", body = ""): string =>
  "OPTIONS sip:bob@example.com SIP/2.0\r\n" +
  "Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds\r\n" +
  "Max-Forwards: 70\r\n" +
  "To: <sip:bob@example.com>\r\n" +
  "From: Alice <sip:alice@example.com>;tag=1928301774\r\n" +
  "Call-ID: a84b4c76e66710@pc33.example.com\r\n" +
  "CSeq: 63104 OPTIONS\r\n" +
  extra +
  "\r\n" +
  body;

function refused(input: Uint8Array, code: SipParseErrorCode, opts = {}): SipParseError {
  let caught: unknown;
  try {
    parseMessage(input, { validate: true, ...opts });
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof SipParseError, `expected SipParseError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

describe("parseMessage", () => {
  test("when a request arrives, then its start line, headers and body are read", () => {
    const m = parseMessage(
      bytes(options("Content-Type: text/plain\r\nContent-Length: 5\r\n", "hello")),
    ) as SipRequest;
    assert.equal(m.kind, "request");
    assert.equal(m.method, "OPTIONS");
    assert.equal(m.uriText, "sip:bob@example.com");
    assert.equal(m.version, "SIP/2.0");
    assert.equal(Buffer.from(m.body).toString(), "hello");
    assert.equal(m.headers.callId(), "a84b4c76e66710@pc33.example.com");
  });

  test("when a response arrives, then status and reason are read", () => {
    const m = parseMessage(
      bytes("SIP/2.0 486 Busy Here, Try Later\r\nContent-Length: 0\r\n\r\n"),
    ) as SipResponse;
    assert.equal(m.kind, "response");
    assert.equal(m.status, 486);
    assert.equal(m.reason, "Busy Here, Try Later");
  });

  test("when header names are compact or in any case, then lookups by the long name find them", () => {
    const m = parseMessage(
      bytes(
        "MESSAGE sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bK1\r\nI: id1\r\nCONTENT-length: 0\r\n\r\n",
      ),
    );
    assert.equal(m.headers.first("Via"), "SIP/2.0/UDP h;branch=z9hG4bK1");
    assert.equal(m.headers.callId(), "id1");
    assert.equal(m.headers.contentLength(), 0);
  });

  test("when values are folded over several lines, then each fold becomes one space", () => {
    const m = parseMessage(bytes(options("Subject: first\r\n \t second\r\n\tthird\r\n")));
    assert.equal(m.headers.first("subject"), "first second third");
  });

  test("when lines end in bare LF and CRLFs precede the start line, then the message still parses", () => {
    const m = parseMessage(bytes(`\r\n\r\n${options().replaceAll("\r\n", "\n")}`));
    assert.equal(m.headers.cseq().seq, 63104);
  });

  test("when the datagram has more bytes than Content-Length, then the extra bytes are discarded", () => {
    const m = parseMessage(bytes(options("Content-Length: 3\r\n", "abcdef")));
    assert.equal(Buffer.from(m.body).toString(), "abc");
  });

  test("when there is no Content-Length, then the body runs to the end of the datagram", () => {
    const m = parseMessage(bytes(options("", "abcdef")));
    assert.equal(Buffer.from(m.body).toString(), "abcdef");
  });

  test("when Content-Length is larger than the body, then CONTENT_LENGTH_MISMATCH is thrown", () => {
    refused(bytes(options("Content-Length: 7\r\n", "abcdef")), "CONTENT_LENGTH_MISMATCH");
  });

  test("when Content-Length is negative, not a number or given twice differently, then BAD_CONTENT_LENGTH is thrown", () => {
    refused(bytes(options("Content-Length: -1\r\n")), "BAD_CONTENT_LENGTH");
    refused(bytes(options("Content-Length: ten\r\n")), "BAD_CONTENT_LENGTH");
    refused(bytes(options("Content-Length: 1\r\nl: 2\r\n", "ab")), "BAD_CONTENT_LENGTH");
  });

  test("when the message is truncated inside the headers, then TRUNCATED is thrown", () => {
    const full = options();
    refused(bytes(full.slice(0, full.indexOf("Call-ID") + 10)), "TRUNCATED");
  });

  test("when the datagram is empty or only line breaks, then EMPTY_MESSAGE is thrown", () => {
    refused(new Uint8Array(0), "EMPTY_MESSAGE");
    refused(bytes("\r\n\r\n\r\n"), "EMPTY_MESSAGE");
  });

  test("when the datagram is binary garbage, then a SipParseError is thrown", () => {
    const garbage = Uint8Array.from({ length: 300 }, (_, i) => (i * 7919 + 13) % 256);
    assert.throws(() => parseMessage(garbage), SipParseError);
    refused(bytes("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n"), "BAD_START_LINE");
  });

  test("when the header section is not UTF-8, then BAD_UTF8 is thrown", () => {
    const head = bytes(options("Subject: \u0000\r\n"));
    const bad = new Uint8Array(head);
    bad[bad.indexOf(0)] = 0xff;
    refused(bad, "BAD_UTF8");
  });

  test("when the body is not UTF-8, then the message still parses and keeps the bytes", () => {
    const head = bytes(options("Content-Type: application/octet-stream\r\nContent-Length: 3\r\n"));
    const input = new Uint8Array([...head, 0xff, 0x00, 0xfe]);
    assert.deepEqual([...parseMessage(input).body], [0xff, 0x00, 0xfe]);
  });

  test("when a message has 10,000 headers, then TOO_MANY_HEADERS is thrown", () => {
    const many = options("X-Filler: 1\r\n".repeat(10_000));
    refused(bytes(many), "TOO_MANY_HEADERS", { maxMessageSize: 1 << 20 });
  });

  test("when a header is 1 MB long, then MESSAGE_TOO_LARGE is thrown before any parsing", () => {
    const huge = options(`X-Huge: ${"a".repeat(1 << 20)}\r\n`);
    const error = refused(bytes(huge), "MESSAGE_TOO_LARGE");
    assert.equal(error.status, 513);
  });

  test("when the start line is not Method SP URI SP version, then BAD_START_LINE is thrown", () => {
    for (const line of [
      "OPTIONS sip:bob@example.com",
      "OPTIONS  sip:bob@example.com SIP/2.0",
      "OPTIONS sip:bob@example.com SIP/2.0 ",
      "GET / HTTP/1.1",
      "OPTIONS sip:bob@example.com SIP/2.0 extra",
    ]) {
      refused(bytes(options().replace("OPTIONS sip:bob@example.com SIP/2.0", line)), "BAD_START_LINE");
    }
  });

  test("when the method is not a token, then BAD_METHOD is thrown", () => {
    refused(bytes(options().replace("OPTIONS sip:", "OPT<IONS sip:")), "BAD_METHOD");
  });

  test("when a method is unknown but a token, then the request parses with that method", () => {
    const m = parseMessage(bytes(options().replaceAll("OPTIONS", "FROBNICATE"))) as SipRequest;
    assert.equal(m.method, "FROBNICATE");
  });

  test("when the Request-URI scheme is unknown, then the request parses and keeps the URI as text", () => {
    const m = parseMessage(
      bytes(options().replace("sip:bob@example.com SIP", "xmpp:bob@example.com SIP")),
    ) as SipRequest;
    assert.deepEqual(m.uri, { scheme: "xmpp", other: true, text: "xmpp:bob@example.com" });
  });

  test("when the version is not 2.0, then BAD_VERSION (505) is thrown", () => {
    const error = refused(bytes(options().replace("SIP/2.0\r\n", "SIP/3.0\r\n")), "BAD_VERSION");
    assert.equal(error.status, 505);
    refused(bytes("SIP/1.0 200 OK\r\n\r\n"), "BAD_VERSION");
  });

  test("when a status code is not three digits from 100 to 699, then BAD_STATUS is thrown", () => {
    for (const line of [
      "SIP/2.0 99 Low",
      "SIP/2.0 700 High",
      "SIP/2.0 2000 Long",
      "SIP/2.0 20x OK",
      "SIP/2.0",
    ]) {
      refused(bytes(`${line}\r\nContent-Length: 0\r\n\r\n`), "BAD_STATUS");
    }
  });

  test("when a header line has no colon, a bad name or a stray CR, then BAD_HEADER is thrown", () => {
    refused(bytes(options("NoColonHere\r\n")), "BAD_HEADER");
    refused(bytes(options("Bad Name: x\r\n")), "BAD_HEADER");
    refused(bytes(options("X-A: one\rX-B: two\r\n")), "BAD_HEADER");
    refused(
      bytes(options().replace("SIP/2.0\r\n", "SIP/2.0\r\n folded onto the start line\r\n")),
      "BAD_HEADER",
    );
    refused(bytes(` ${options()}`), "BAD_START_LINE");
    refused(bytes("SIP/2.0 200 OK\rInjected: yes\r\nContent-Length: 0\r\n\r\n"), "BAD_START_LINE");
  });

  test("when a hot header is malformed, then it fails only when read, or at once with validate", () => {
    const input = bytes(options().replace("CSeq: 63104 OPTIONS", "CSeq: lots OPTIONS"));
    const m = parseMessage(input);
    assert.equal(m.headers.callId(), "a84b4c76e66710@pc33.example.com");
    assert.throws(
      () => m.headers.cseq(),
      (e: unknown) => e instanceof SipParseError && e.code === "BAD_CSEQ",
    );
    refused(input, "BAD_CSEQ");
  });

  test("when a required header is missing, then reading it throws MISSING_HEADER", () => {
    const m = parseMessage(bytes(options().replace(/Call-ID: .*\r\n/, "")));
    assert.throws(
      () => m.headers.callId(),
      (e: unknown) => e instanceof SipParseError && e.code === "MISSING_HEADER",
    );
  });
});
