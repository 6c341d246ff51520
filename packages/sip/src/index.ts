export { SipParseError, type SipParseErrorCode, sipParseErrorReasons } from "./grammar/sip-parse-error.ts";
export { defaultMaxHeaders, defaultMaxMessageSize, type MessageLimits } from "./message/limits.ts";
export { type FramerEvent, StreamFramer } from "./message/stream-framer.ts";
export type * from "./message/types.ts";
export { frameWebSocketMessage } from "./message/websocket-frame.ts";
