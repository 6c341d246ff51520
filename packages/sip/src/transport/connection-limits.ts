import type { MessageLimits } from "../message/limits.ts";

/** Bounds that keep a connection-oriented transport safe from slow, silent or hostile peers. */
export interface ConnectionLimits extends MessageLimits {
  /** Open connections at most, accepted and opened together; beyond it new ones are refused. Default 1024. */
  maxConnections?: number;
  /**
   * Close a connection when no whole message or keep-alive has been received and no message
   * sent for this long. A peer trickling bytes that never complete a message is therefore
   * closed too. Default 300,000 ms.
   *
   * @remarks RFC 3261 §18: "It is RECOMMENDED that connections be kept open for some
   * implementation-defined duration after the last message was sent or received over that
   * connection. This duration SHOULD at least equal the longest amount of time the element
   * would need in order to bring a transaction from instantiation to the terminated state."
   * The default covers Timer C (greater than 3 minutes, §16.6 step 11).
   */
  idleTimeoutMs?: number;
  /** Bytes queued for a peer that is not reading; beyond it the connection is dropped. Default 1 MiB. */
  maxOutboundBytes?: number;
  /** Give up opening a connection after this long. Default 10,000 ms. */
  connectTimeoutMs?: number;
}

export const defaultMaxConnections = 1024;
export const defaultIdleTimeoutMs = 300_000;
export const defaultMaxOutboundBytes = 1024 * 1024;
export const defaultConnectTimeoutMs = 10_000;
