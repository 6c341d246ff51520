import { SipParseError } from "../grammar/sip-parse-error.ts";
import { defaultMaxMessageSize, type MessageLimits } from "./limits.ts";
import type { FramerEvent } from "./stream-framer.ts";

const textEncoder = new TextEncoder();

/**
 * Classifies one WebSocket message received on a SIP WebSocket connection: a SIP message, a
 * CRLF keep-alive (SIP.js and JsSIP send them), or an error when it is too large.
 *
 * The bytes of a `message` event still go through `parseMessage`, which applies the header
 * count limit and checks Content-Length against the frame.
 *
 * @remarks RFC 7118 §5.1: "Each SIP message MUST be carried within a single WebSocket
 * message, and a WebSocket message MUST NOT contain more than one SIP message."
 */
export function frameWebSocketMessage(data: Uint8Array | string, opts: MessageLimits = {}): FramerEvent {
  const bytes = typeof data === "string" ? textEncoder.encode(data) : data;
  const maxMessageSize = opts.maxMessageSize ?? defaultMaxMessageSize;
  if (bytes.length > maxMessageSize) {
    return {
      type: "error",
      error: new SipParseError("MESSAGE_TOO_LARGE", `over ${maxMessageSize} bytes`),
    };
  }
  if (isOnly(bytes, "\r\n\r\n")) return { type: "keepalive-ping" };
  if (isOnly(bytes, "\r\n")) return { type: "keepalive-pong" };
  return { type: "message", bytes };
}

function isOnly(bytes: Uint8Array, text: string): boolean {
  if (bytes.length !== text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[i] !== text.charCodeAt(i)) return false;
  return true;
}
