import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type FramerEvent, StreamFramer } from "./stream-framer.ts";
import { frameWebSocketMessage } from "./websocket-frame.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

const invite =
  "INVITE sip:bob@example.com SIP/2.0\r\n" +
  "Via: SIP/2.0/TCP pc33.example.com;branch=z9hG4bK776asdhds\r\n" +
  "Max-Forwards: 70\r\n" +
  "To: Bob <sip:bob@example.com>\r\n" +
  "From: Alice <sip:alice@example.com>;tag=1928301774\r\n" +
  "Call-ID: a84b4c76e66710@pc33.example.com\r\n" +
  "CSeq: 314159 INVITE\r\n" +
  "Content-Type: application/sdp\r\n" +
  "Content-Length: 10\r\n" +
  "\r\n" +
  "v=0\r\no=x\r\n";

const options =
  "OPTIONS sip:bob@example.com SIP/2.0\r\n" +
  "Via: SIP/2.0/TCP pc33.example.com;branch=z9hG4bK776asdhdt\r\n" +
  "l: 0\r\n" +
  "\r\n";

function summary(events: FramerEvent[]): string[] {
  return events.map((e) =>
    e.type === "message"
      ? `message:${dec.decode(e.bytes)}`
      : e.type === "error"
        ? `error:${e.error.code}`
        : e.type,
  );
}

function pushAll(framer: StreamFramer, chunks: Uint8Array[]): string[] {
  return chunks.flatMap((chunk) => summary(framer.push(chunk)));
}

function bytewise(text: string): Uint8Array[] {
  return [...enc.encode(text)].map((b) => Uint8Array.of(b));
}

describe("StreamFramer", () => {
  test("when two messages arrive in one chunk, then both come out whole and in order", () => {
    const framer = new StreamFramer();
    assert.deepEqual(pushAll(framer, [enc.encode(invite + options)]), [
      `message:${invite}`,
      `message:${options}`,
    ]);
    assert.equal(framer.pendingBytes, 0);
  });

  test("when a stream arrives one byte at a time, then the same messages come out", () => {
    const framer = new StreamFramer();
    assert.deepEqual(pushAll(framer, bytewise(invite + options)), [
      `message:${invite}`,
      `message:${options}`,
    ]);
  });

  test("when a body is split across chunks, then the message waits for all Content-Length bytes", () => {
    const framer = new StreamFramer();
    const bytes = enc.encode(invite);
    assert.deepEqual(pushAll(framer, [bytes.subarray(0, bytes.length - 3)]), []);
    assert.deepEqual(pushAll(framer, [bytes.subarray(bytes.length - 3)]), [`message:${invite}`]);
  });

  test("when a CRLFCRLF ping arrives between messages, then a keepalive-ping is reported", () => {
    const framer = new StreamFramer();
    assert.deepEqual(pushAll(framer, [enc.encode(`${options}\r\n\r\n${options}`)]), [
      `message:${options}`,
      "keepalive-ping",
      `message:${options}`,
    ]);
  });

  test("when a lone CRLF pong arrives, then a keepalive-pong is reported at once", () => {
    const framer = new StreamFramer();
    assert.deepEqual(pushAll(framer, [enc.encode("\r\n")]), ["keepalive-pong"]);
    assert.deepEqual(pushAll(framer, [enc.encode(options)]), [`message:${options}`]);
  });

  test("when a ping arrives one byte at a time, then a keepalive-ping is still reported", () => {
    const framer = new StreamFramer();
    assert.ok(pushAll(framer, bytewise("\r\n\r\n")).includes("keepalive-ping"));
  });

  test("when the message uses the compact l and a folded value, then Content-Length still frames the body", () => {
    const framer = new StreamFramer();
    const msg = "MESSAGE sip:a@b SIP/2.0\r\nL :\r\n  5\r\n\r\nhello";
    assert.deepEqual(pushAll(framer, [enc.encode(msg + options)]), [`message:${msg}`, `message:${options}`]);
  });

  test("when lines end in bare LF, then the message is still framed", () => {
    const framer = new StreamFramer();
    const msg = "MESSAGE sip:a@b SIP/2.0\nContent-Length: 2\n\nhi";
    assert.deepEqual(pushAll(framer, [enc.encode(msg)]), [`message:${msg}`]);
  });

  test("when a header never ends, then MESSAGE_TOO_LARGE is reported and the buffer stays bounded", () => {
    const framer = new StreamFramer({ maxMessageSize: 4096 });
    const events: string[] = [];
    events.push(...pushAll(framer, [enc.encode("INVITE sip:a@b SIP/2.0\r\nSubject: ")]));
    const filler = new Uint8Array(1000).fill(0x61);
    for (let i = 0; i < 100 && events.length === 0; i++) {
      events.push(...summary(framer.push(filler)));
      assert.ok(framer.pendingBytes <= 4100);
    }
    assert.deepEqual(events, ["error:MESSAGE_TOO_LARGE"]);
    assert.equal(framer.failed, true);
    assert.deepEqual(summary(framer.push(enc.encode(options))), []);
  });

  test("when a hostile stream trickles a header one byte at a time, then it is cut off at the size limit", () => {
    const framer = new StreamFramer({ maxMessageSize: 2048 });
    const start = enc.encode("INVITE sip:a@b SIP/2.0\r\nX: ");
    const events: string[] = pushAll(framer, [start]);
    let sent = start.length;
    const one = Uint8Array.of(0x61);
    while (events.length === 0 && sent < 10_000) {
      events.push(...summary(framer.push(one)));
      sent += 1;
    }
    assert.deepEqual(events, ["error:MESSAGE_TOO_LARGE"]);
    assert.ok(sent <= 2048 + 5);
  });

  test("when a message has more header fields than allowed, then TOO_MANY_HEADERS is reported", () => {
    const framer = new StreamFramer({ maxHeaders: 10 });
    const msg = `OPTIONS sip:a@b SIP/2.0\r\n${"X-A: 1\r\n".repeat(11)}\r\n`;
    assert.deepEqual(pushAll(framer, [enc.encode(msg)]), ["error:TOO_MANY_HEADERS"]);
  });

  test("when Content-Length promises more than the size limit, then MESSAGE_TOO_LARGE is reported before the body", () => {
    const framer = new StreamFramer({ maxMessageSize: 1000 });
    assert.deepEqual(
      pushAll(framer, [enc.encode("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 5000\r\n\r\n")]),
      ["error:MESSAGE_TOO_LARGE"],
    );
  });

  test("when Content-Length is not a number or conflicts, then BAD_CONTENT_LENGTH is reported", () => {
    for (const cl of ["Content-Length: -5\r\n", "Content-Length: 5x\r\n", "l: 1\r\nContent-Length: 2\r\n"]) {
      const framer = new StreamFramer();
      assert.deepEqual(pushAll(framer, [enc.encode(`MESSAGE sip:a@b SIP/2.0\r\n${cl}\r\n`)]), [
        "error:BAD_CONTENT_LENGTH",
      ]);
    }
  });

  test("when the stream starts with binary garbage, then BAD_START_LINE is reported", () => {
    const framer = new StreamFramer();
    assert.deepEqual(pushAll(framer, [Uint8Array.of(0x16, 0x03, 0x01, 0x02, 0x00)]), [
      "error:BAD_START_LINE",
    ]);
  });

  test("when the stream holds many messages, then the work stays linear in the bytes", () => {
    const framer = new StreamFramer();
    const many = enc.encode(options.repeat(2000));
    const started = performance.now();
    const events = framer.push(many);
    assert.equal(events.length, 2000);
    assert.ok(performance.now() - started < 2000);
  });
});

describe("frameWebSocketMessage", () => {
  test("when a WebSocket message holds a SIP message, then it is passed on as one message", () => {
    const event = frameWebSocketMessage(options);
    assert.equal(event.type, "message");
    assert.equal(event.type === "message" && dec.decode(event.bytes), options);
  });

  test("when a WebSocket message holds CRLFCRLF or CRLF, then it is a ping or a pong", () => {
    assert.equal(frameWebSocketMessage("\r\n\r\n").type, "keepalive-ping");
    assert.equal(frameWebSocketMessage(enc.encode("\r\n")).type, "keepalive-pong");
  });

  test("when a WebSocket message is over the size limit, then MESSAGE_TOO_LARGE is reported", () => {
    const event = frameWebSocketMessage(new Uint8Array(70_000));
    assert.equal(event.type === "error" && event.error.code, "MESSAGE_TOO_LARGE");
  });
});
