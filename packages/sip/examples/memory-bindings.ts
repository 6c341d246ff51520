import { formatUri, type NameAddr, type SipRequest } from "@zaqros/sip";

/** One contact bound to an address-of-record. */
export interface Binding {
  readonly contact: NameAddr;
  /** The contact URI as text: the key bindings are compared by. */
  readonly uri: string;
  readonly callId: string;
  readonly cseq: number;
  /** Clock reading (ms) at which the binding lapses. */
  readonly expiresAt: number;
}

export type RegisterOutcome =
  | { readonly ok: true; readonly bindings: ReadonlyArray<{ binding: Binding; expires: number }> }
  | { readonly ok: false; readonly status: number; readonly reason: string };

export interface MemoryBindingsOptions {
  /** Milliseconds; only differences matter. */
  now: () => number;
  /** Seconds granted when the request names none. Default 3600. */
  defaultExpires?: number;
  /** Longest registration granted, in seconds. Default 7200. */
  maxExpires?: number;
}

/**
 * The location service of the example registrar, in memory: RFC 3261 §10.3 steps 6 to 8.
 *
 * Contact URIs are compared as text after formatting, a simplification of the §19.1.4
 * comparison that is enough for phones that send the same Contact every time.
 */
export class MemoryBindings {
  readonly #byAor = new Map<string, Map<string, Binding>>();
  readonly #now: () => number;
  readonly #defaultExpires: number;
  readonly #maxExpires: number;

  constructor(options: MemoryBindingsOptions) {
    this.#now = options.now;
    this.#defaultExpires = options.defaultExpires ?? 3600;
    this.#maxExpires = options.maxExpires ?? 7200;
  }

  /** Live bindings of an address-of-record. */
  lookup(aor: string): Binding[] {
    const now = this.#now();
    return [...(this.#byAor.get(aor)?.values() ?? [])].filter((binding) => binding.expiresAt > now);
  }

  /**
   * Applies a REGISTER to the bindings of `aor`; all or nothing.
   *
   * @remarks RFC 3261 §10.3 step 6: "If the request has additional Contact fields or an
   * expiration time other than zero, the request is invalid, and the server MUST return a 400
   * (Invalid Request)". Step 7: "If the field value has an "expires" parameter, that value MUST
   * be taken as the requested expiration. If there is no such parameter, but the request has an
   * Expires header field, that value MUST be taken as the requested expiration. If there is
   * neither, the registrar SHOULD use a locally-configured default value" and "If the value is
   * higher than that of the existing binding, it MUST update or remove the binding as above. If
   * not, the update MUST be aborted and the request fails." Step 8: "The response MUST contain
   * Contact header field values enumerating all current bindings."
   */
  register(aor: string, request: SipRequest): RegisterOutcome {
    const headers = request.headers;
    const callId = headers.callId();
    const cseq = headers.cseq().seq;
    const contacts = headers.contact();
    const now = this.#now();
    const current = new Map(
      [...(this.#byAor.get(aor) ?? new Map<string, Binding>())].filter(([, b]) => b.expiresAt > now),
    );

    if (contacts === "*") {
      if (headers.expires() !== 0) return { ok: false, status: 400, reason: "Wildcard Needs Expires 0" };
      for (const binding of current.values()) {
        if (binding.callId === callId && cseq <= binding.cseq) {
          return { ok: false, status: 500, reason: "Out-of-Order CSeq" };
        }
      }
      this.#byAor.delete(aor);
      return { ok: true, bindings: [] };
    }

    for (const contact of contacts) {
      const uri = formatUri(contact.uri);
      const existing = current.get(uri);
      if (existing !== undefined && existing.callId === callId && cseq <= existing.cseq) {
        return { ok: false, status: 500, reason: "Out-of-Order CSeq" };
      }
      const requested = expiresOf(contact) ?? headers.expires() ?? this.#defaultExpires;
      const expires = Math.min(requested, this.#maxExpires);
      if (expires === 0) current.delete(uri);
      else current.set(uri, { contact, uri, callId, cseq, expiresAt: now + expires * 1000 });
    }
    if (current.size === 0) this.#byAor.delete(aor);
    else this.#byAor.set(aor, current);
    return {
      ok: true,
      bindings: [...current.values()].map((binding) => ({
        binding,
        expires: Math.max(0, Math.round((binding.expiresAt - now) / 1000)),
      })),
    };
  }
}

function expiresOf(contact: NameAddr): number | undefined {
  const value = contact.params.get("expires");
  if (value === undefined || value === null || !/^\d{1,10}$/.test(value)) return undefined;
  return Number(value);
}
