import { pooledRandomBytes } from "../message/identifiers.ts";
import type { AuthHeader } from "../message/types.ts";
import type { DigestAlgorithm } from "./digest-algorithm.ts";
import { DEFAULT_SERVER_ALGORITHMS, type DigestChallengeConfig } from "./digest-server-config.ts";
import { serializeChallenge } from "./serialize-auth-header.ts";
import { issueNonce } from "./stateless-nonce.ts";

export interface ChallengeOptions {
  /**
   * Set after `verifyCredentials` answered STALE_NONCE: tells the client its password was right and
   * only the nonce was old.
   */
  stale?: boolean;
}

/** One challenge: the typed header and its serialized value, ready for the response. */
export interface DigestChallenge {
  readonly algorithm: DigestAlgorithm;
  readonly header: AuthHeader;
  /** The WWW-Authenticate / Proxy-Authenticate field value. */
  readonly value: string;
}

/**
 * The challenges for a 401 (WWW-Authenticate) or 407 (Proxy-Authenticate): one per configured
 * algorithm, in the configured order of preference, all sharing one fresh nonce. Add each `value`
 * as its own header field, in order.
 *
 * @remarks RFC 8760 §2.3: the UAS adds these header fields "in the order in which it would prefer to
 * see them used", and with the same realm each of them uses a different algorithm. RFC 3261 §22.4
 * item 8: "servers MUST always send a "qop" parameter in WWW-Authenticate and Proxy-Authenticate
 * header field values." RFC 2617 §3.2.1 on stale: "If stale is TRUE (case-insensitive), the client
 * may wish to simply retry the request with a new encrypted response, without reprompting the user
 * for a new username and password." No `opaque` is sent: the nonce already carries all the state
 * the server needs.
 *
 * @throws RangeError for a configuration error (secret too short, realm with control characters,
 * no algorithms).
 */
export function createChallenge(
  config: DigestChallengeConfig,
  options: ChallengeOptions = {},
): DigestChallenge[] {
  const algorithms = config.algorithms ?? DEFAULT_SERVER_ALGORITHMS;
  if (algorithms.length === 0) throw new RangeError("digest: at least one algorithm must be offered");
  const nonce = issueNonce({
    secret: config.secret,
    realm: config.realm,
    issuedAt: config.now(),
    randomBytes: config.randomBytes ?? pooledRandomBytes,
  });
  return algorithms.map((algorithm) => {
    const params = new Map<string, string>([
      ["realm", config.realm],
      ["nonce", nonce],
      ["algorithm", algorithm],
      ["qop", "auth"],
    ]);
    if (options.stale === true) params.set("stale", "true");
    const header: AuthHeader = { scheme: "Digest", params };
    return { algorithm, header, value: serializeChallenge(header) };
  });
}
