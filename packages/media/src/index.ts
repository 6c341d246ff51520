export { type Clock, systemClock } from "./clock.ts";
export type { Endpoint } from "./endpoint.ts";
export type {
  AllocateRequest,
  Allocation,
  LegOptions,
  LegSide,
  MediaControl,
  MediaTeardown,
  TeardownReason,
  UpdateRequest,
  UpdateResult,
} from "./media-control.ts";
export { MEDIA_ERRORS, MediaError, type MediaErrorCode } from "./media-error.ts";
export type {
  CallMediaState,
  CallStats,
  LegStreamStats,
  PacketCounters,
  RtpCounters,
  StreamStats,
} from "./media-stats.ts";
export { RtpRelay } from "./rtp-relay.ts";
export type { RtpRelayConfig } from "./rtp-relay-config.ts";
export { type MediaDirection, type MediaLine, readSdp, type SdpView } from "./sdp-media.ts";
export { type RelayPorts, rewriteSdp, type SdpRewrite } from "./sdp-rewrite.ts";
