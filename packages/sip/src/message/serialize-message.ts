import { headerKey } from "./header-names.ts";
import type { SipMessage } from "./types.ts";

/**
 * The start line and header section of a message as text, ending with the empty line.
 *
 * Header fields are written in order, with the name as stored and the raw value, so a header
 * that was parsed and not changed goes out as it came in (folding aside). Content-Length is
 * always written and always equals the body length.
 *
 * @remarks RFC 3261 §20.14: "If no body is present in a message, then the Content-Length
 * header field value MUST be set to zero." and §18.3: "All stream-oriented transports MUST
 * use Content-Length."
 */
export function serializeHead(message: SipMessage): string {
  let out =
    message.kind === "request"
      ? `${message.method} ${message.uriText} ${message.version}\r\n`
      : `${message.version} ${message.status} ${oneLine(message.reason)}\r\n`;
  const length = String(message.body.length);
  let wroteLength = false;
  for (const field of message.headers.fields) {
    if (headerKey(field.name) === "content-length") {
      if (wroteLength) continue;
      wroteLength = true;
      out += `${field.name}: ${length}\r\n`;
    } else {
      out += `${field.name}: ${field.value}\r\n`;
    }
  }
  if (!wroteLength) out += `Content-Length: ${length}\r\n`;
  return `${out}\r\n`;
}

/** A reason phrase cannot hold a line break (RFC 3261 §25.1 `Reason-Phrase`); it becomes a space. */
function oneLine(text: string): string {
  return text.includes("\r") || text.includes("\n") ? text.replace(/[\r\n]/g, " ") : text;
}

/** The message as bytes, ready for a transport: UTF-8 head, then the body bytes. */
export function serializeMessage(message: SipMessage): Uint8Array {
  const head = serializeHead(message);
  const headLength = Buffer.byteLength(head, "utf8");
  const out = Buffer.allocUnsafe(headLength + message.body.length);
  // Equal lengths mean every character is ASCII, which latin1 writes fastest.
  out.write(head, 0, headLength, headLength === head.length ? "latin1" : "utf8");
  out.set(message.body, headLength);
  return out;
}

/** The message as a string, the body decoded as UTF-8 (for logs, tests and WebSocket text frames). */
export function serializeMessageToString(message: SipMessage): string {
  const head = serializeHead(message);
  if (message.body.length === 0) return head;
  const body = Buffer.from(message.body.buffer, message.body.byteOffset, message.body.length);
  return head + body.toString("utf8");
}
