/**
 * Bounds on what the parser and the stream framer accept, so that a hostile peer cannot make
 * them allocate without limit or spin.
 */
export interface MessageLimits {
  /** Largest accepted message, start line to the end of the body, in bytes. Default 65,536. */
  maxMessageSize?: number;
  /** Largest accepted number of header fields (lines, not comma-separated values). Default 256. */
  maxHeaders?: number;
}

/**
 * @remarks RFC 3261 §18.1.1: implementations "MUST be able to handle messages up to the
 * maximum datagram packet size. For UDP, this size is 65,535 bytes, including IP and UDP
 * headers." 64 KiB covers that, for every transport.
 */
export const defaultMaxMessageSize = 65_536;

export const defaultMaxHeaders = 256;
