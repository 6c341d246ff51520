/**
 * `@zaqros/sip`: a SIP protocol library in layers, each importing only the ones above it:
 * grammar → message → transport → transaction → dialog → auth, assembled by `SipStack` (stack.ts).
 * Everything an application needs is exported here; deep imports are not part of the API.
 */

export * from "./auth/index.ts";
export { type Clock, FakeClock, systemClock, type TimerHandle } from "./clock.ts";
export * from "./dialog/index.ts";
export { formatAuthHeader, parseAuthHeader } from "./grammar/auth-header.ts";
export { parseCallId } from "./grammar/call-id.ts";
export { formatCSeq, maxCSeq, parseCSeq } from "./grammar/cseq.ts";
export {
  maxDeltaSeconds,
  parseContentLength,
  parseExpires,
  parseInteger,
  parseMaxForwards,
} from "./grammar/integer-value.ts";
export { nextListComma, splitHeaderList } from "./grammar/list-split.ts";
export { formatNameAddr, parseNameAddr } from "./grammar/name-addr.ts";
export { formatParams, parseParams } from "./grammar/params.ts";
export { escapePercent, unescapePercent } from "./grammar/percent-encoding.ts";
export { quoteString, readQuotedString } from "./grammar/quoted-string.ts";
export { SipParseError, type SipParseErrorCode, sipParseErrorReasons } from "./grammar/sip-parse-error.ts";
export { formatUri, parseUri } from "./grammar/uri.ts";
export { formatVia, parseVia } from "./grammar/via.ts";
export {
  type CheckFailure,
  checkRequest,
  type RequestCheckOptions,
  rfc3261_7_3_1,
  rfc3261_8_1_1,
  rfc3261_8_1_1_5,
  rfc3261_8_2_1,
  rfc3261_8_2_2_1,
  rfc3261_8_2_2_3,
  rfc3261_8_2_3,
  rfc3261_10_2,
  rfc3261_16_3_3,
  rfc3261_16_3_5,
  rfc3261_21_4_7,
} from "./message/checks.ts";
export { createRequest, type RequestInit } from "./message/create-request.ts";
export { createResponse, type ResponseInit } from "./message/create-response.ts";
export { headerDisplayName, headerKey } from "./message/header-names.ts";
export { Headers } from "./message/headers.ts";
export { branchMagicCookie, generateBranch, generateCallId, generateTag } from "./message/identifiers.ts";
export { defaultMaxHeaders, defaultMaxMessageSize, type MessageLimits } from "./message/limits.ts";
export { type ParseOptions, parseMessage } from "./message/parse-message.ts";
export { reasonPhrase } from "./message/reason-phrases.ts";
export { serializeHead, serializeMessage, serializeMessageToString } from "./message/serialize-message.ts";
export { type FramerEvent, StreamFramer } from "./message/stream-framer.ts";
export type * from "./message/types.ts";
export { validateMessage } from "./message/validate-message.ts";
export { frameWebSocketMessage } from "./message/websocket-frame.ts";
export {
  type ListenSpec,
  SipStack,
  type SipStackDelegate,
  type SipStackDiscard,
  type SipStackOptions,
} from "./stack.ts";
export * from "./transaction/index.ts";
export * from "./transport/index.ts";
