import { isIP } from "node:net";
import { type Clock, systemClock } from "./clock.ts";
import { MediaError } from "./media-error.ts";

/** How an {@link RtpRelay} is set up; every key has a default. */
export interface RtpRelayConfig {
  /** IP literal the media sockets bind to. Default `127.0.0.1`. */
  readonly bindAddress?: string;
  /** Address written into SDP for phones to send to (a public address in front of NAT). Default: `bindAddress`; required when that is `0.0.0.0` or `::`. */
  readonly advertisedAddress?: string;
  /** Lowest port of the media range. Default 20000. */
  readonly portMin?: number;
  /** Highest port of the media range. Default 29999. */
  readonly portMax?: number;
  /** Tear down an answered call after this long without RTP in either direction (rtpengine `--timeout`). Default 60 000 ms. */
  readonly inactivityTimeoutMs?: number;
  /** The same while every stream is on hold or inactive (rtpengine `--silent-timeout`). Default 3 600 000 ms. */
  readonly holdTimeoutMs?: number;
  /** Tear down a call whose offer was never answered (rtpengine `--offer-timeout`). Default 3 600 000 ms. */
  readonly offerTimeoutMs?: number;
  /** How often calls are checked against those timeouts. Default 1000 ms. */
  readonly checkIntervalMs?: number;
  /** Drop packets from any other source than the latched one. Default true. */
  readonly strictSource?: boolean;
  /** Write the relay's address into the o= line too, so no phone address reaches the far side. Default true. */
  readonly replaceOrigin?: boolean;
  /** SO_RCVBUF of each media socket (capped by the kernel's `net.core.rmem_max`). Default: the kernel's. */
  readonly socketReceiveBufferBytes?: number;
  /**
   * Released socket pairs kept bound for later calls instead of closed (each is two sockets, two
   * file descriptors); 0 closes every pair on release. Default: as many as the range holds, so
   * idle pairs never use more descriptors than a fully used range would. How many stay idle
   * follows the load: about what is released during one quarantine (2 pairs a call), as idle pairs
   * past their quarantine are reused before any fresh port is bound.
   */
  readonly idleSocketPairs?: number;
  /** A released pair is reused only after this long, while a fresh pair can still be bound. Default 2000 ms. */
  readonly socketPairQuarantineMs?: number;
  readonly clock?: Clock;
}

export interface ResolvedRelayConfig {
  readonly bindAddress: string;
  readonly advertisedAddress: string;
  readonly ipVersion: 4 | 6;
  readonly portMin: number;
  readonly portMax: number;
  readonly inactivityTimeoutMs: number;
  readonly holdTimeoutMs: number;
  readonly offerTimeoutMs: number;
  readonly checkIntervalMs: number;
  readonly strictSource: boolean;
  readonly replaceOrigin: boolean;
  readonly socketReceiveBufferBytes: number | undefined;
  /** Undefined: as many as the range holds. */
  readonly idleSocketPairs: number | undefined;
  readonly socketPairQuarantineMs: number;
  readonly clock: Clock;
}

/** @throws MediaError `MEDIA.INVALID_CONFIG`, naming the key that is wrong. */
export function resolveRelayConfig(config: RtpRelayConfig): ResolvedRelayConfig {
  const bindAddress = config.bindAddress ?? "127.0.0.1";
  const ipVersion = isIP(bindAddress);
  if (ipVersion === 0) throw invalid("bindAddress", `${bindAddress} is not an IP address`);
  const wildcard = bindAddress === "0.0.0.0" || bindAddress === "::";
  if (wildcard && config.advertisedAddress === undefined) {
    throw invalid("advertisedAddress", `is required when binding to ${bindAddress}`);
  }
  const advertisedAddress = config.advertisedAddress ?? bindAddress;
  if (isIP(advertisedAddress) !== ipVersion) {
    throw invalid(
      "advertisedAddress",
      `${advertisedAddress} is not an IPv${ipVersion} address like ${bindAddress}`,
    );
  }
  return {
    bindAddress,
    advertisedAddress,
    ipVersion: ipVersion as 4 | 6,
    portMin: config.portMin ?? 20000,
    portMax: config.portMax ?? 29999,
    inactivityTimeoutMs: positive("inactivityTimeoutMs", config.inactivityTimeoutMs ?? 60_000),
    holdTimeoutMs: positive("holdTimeoutMs", config.holdTimeoutMs ?? 3_600_000),
    offerTimeoutMs: positive("offerTimeoutMs", config.offerTimeoutMs ?? 3_600_000),
    checkIntervalMs: positive("checkIntervalMs", config.checkIntervalMs ?? 1000),
    strictSource: config.strictSource ?? true,
    replaceOrigin: config.replaceOrigin ?? true,
    socketReceiveBufferBytes:
      config.socketReceiveBufferBytes === undefined
        ? undefined
        : positive("socketReceiveBufferBytes", config.socketReceiveBufferBytes),
    idleSocketPairs:
      config.idleSocketPairs === undefined ? undefined : count("idleSocketPairs", config.idleSocketPairs),
    socketPairQuarantineMs: notNegative("socketPairQuarantineMs", config.socketPairQuarantineMs ?? 2000),
    clock: config.clock ?? systemClock,
  };
}

function positive(key: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw invalid(key, `${value} is not a positive number`);
  return value;
}

function count(key: string, value: number): number {
  if (!Number.isInteger(value) || value < 0)
    throw invalid(key, `${value} is not a whole number of 0 or more`);
  return value;
}

function notNegative(key: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw invalid(key, `${value} is not a number of 0 or more`);
  return value;
}

function invalid(key: string, reason: string): MediaError {
  return new MediaError("MEDIA.INVALID_CONFIG", `media relay config ${key}: ${reason}`);
}
