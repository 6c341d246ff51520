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
    const [before, after] = valueAround(config.realm, algorithm, options.stale === true);
    return {
      algorithm,
      get header(): AuthHeader {
        return challengeHeader(config.realm, nonce, algorithm, options.stale === true);
      },
      value: before + nonce + after,
    };
  });
}

function challengeHeader(
  realm: string,
  nonce: string,
  algorithm: DigestAlgorithm,
  stale: boolean,
): AuthHeader {
  const params = new Map<string, string>([
    ["realm", realm],
    ["nonce", nonce],
    ["algorithm", algorithm],
    ["qop", "auth"],
  ]);
  if (stale) params.set("stale", "true");
  return { scheme: "Digest", params };
}

/** A nonce stand-in: base64url, like every nonce, so it serializes exactly as a nonce does. */
const PLACEHOLDER = "NONCEPLACEHOLDER";
/**
 * The serialized challenge around its nonce, per realm, algorithm and stale flag: a challenge
 * goes out for every REGISTER and call a phone starts, and only the nonce differs between them.
 */
const templates = new Map<string, readonly [string, string]>();

function valueAround(realm: string, algorithm: DigestAlgorithm, stale: boolean): readonly [string, string] {
  const key = `${realm}\u0000${algorithm}\u0000${stale}`;
  let template = templates.get(key);
  if (template === undefined) {
    const whole = serializeChallenge(challengeHeader(realm, PLACEHOLDER, algorithm, stale));
    // The nonce's own position: a realm may hold any text, but never an unescaped quote.
    const at = whole.indexOf(`nonce="${PLACEHOLDER}"`) + 'nonce="'.length;
    template = [whole.slice(0, at), whole.slice(at + PLACEHOLDER.length)];
    if (templates.size < 64) templates.set(key, template);
  }
  return template;
}
