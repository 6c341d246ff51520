export { acceptUriOnOwnHosts } from "./accept-uri-on-own-hosts.ts";
export { type AnswerChallengeInput, answerChallenge, type DigestAnswer } from "./answer-challenge.ts";
export { ClientNonceCounter, type NonceCounter } from "./client-nonce-counter.ts";
export {
  computeDigestResponse,
  type DigestQop,
  type DigestResponseInput,
  formatNonceCount,
} from "./compute-digest-response.ts";
export { computeHa1 } from "./compute-ha1.ts";
export { type ChallengeOptions, createChallenge, type DigestChallenge } from "./create-challenge.ts";
export {
  DIGEST_ALGORITHMS,
  type DigestAlgorithm,
  type DigestHash,
  digestHashOf,
  parseDigestAlgorithm,
} from "./digest-algorithm.ts";
export {
  DEFAULT_NONCE_LIFETIME_MS,
  DEFAULT_SERVER_ALGORITHMS,
  type DigestChallengeConfig,
  type DigestVerifierConfig,
  type Ha1Lookup,
  type Ha1Query,
  type LegacyNoQopPolicy,
} from "./digest-server-config.ts";
export { MemoryNonceCountStore, type MemoryNonceCountStoreOptions } from "./memory-nonce-count-store.ts";
export type { NonceCountStore, NonceCountUse, NonceCountVerdict } from "./nonce-count-store.ts";
export { serializeChallenge, serializeCredentials } from "./serialize-auth-header.ts";
export { MIN_NONCE_SECRET_BYTES } from "./stateless-nonce.ts";
export {
  type DigestFailureReason,
  type DigestRequest,
  type DigestVerification,
  verifyCredentials,
} from "./verify-credentials.ts";
export { verifyRequestCredentials } from "./verify-request-credentials.ts";
