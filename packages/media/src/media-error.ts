/**
 * The codes `@zaqros/media` raises, each documented. Callers branch on `code`, never on the
 * message text; the B2BUA maps them to SIP statuses in its own table (for example
 * `MEDIA.PORTS_EXHAUSTED` to 503, `MEDIA.INVALID_SDP` to 488).
 */
export const MEDIA_ERRORS = {
  "MEDIA.INVALID_CONFIG":
    "The relay configuration cannot work: an address that is not an IP literal, or a port range without one even/odd pair.",
  "MEDIA.PORTS_EXHAUSTED":
    "Every RTP/RTCP port pair of the configured range is in use (or taken by another process).",
  "MEDIA.BIND_FAILED":
    "The operating system refused to open a socket on the configured local address for a reason other than a busy port.",
  "MEDIA.CALL_EXISTS":
    "allocate() was called with a call id the relay already holds; use update() for a new offer in the same call.",
  "MEDIA.CALL_NOT_FOUND":
    "No call with that id is allocated (never allocated, released, or torn down for inactivity).",
  "MEDIA.INVALID_SDP":
    "The session description cannot be relayed: not SDP version 0, no media, a port out of range, or a media line without a connection address.",
  "MEDIA.RELAY_CLOSED": "The relay was closed; it allocates nothing more.",
} as const;

export type MediaErrorCode = keyof typeof MEDIA_ERRORS;

/** A failure of a media control operation, carrying a code from {@link MEDIA_ERRORS}. */
export class MediaError extends Error {
  override readonly name = "MediaError";

  constructor(
    readonly code: MediaErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
