/**
 * An example SIP element built only on the public API of `@zaqros/sip`: a registrar with digest
 * authentication and a user agent server that answers every call.
 *
 * - OPTIONS: 200 with Allow and Accept.
 * - REGISTER: 401 with a SHA-256 and an MD5 challenge; credentials verified against HA1 values
 *   (the password is hashed at start and not kept); bindings kept in memory; 200 listing them.
 * - INVITE: 100, 180, then 200 with a minimal SDP answer; the 2xx is resent until the ACK.
 * - BYE: 200 for a known call, 481 otherwise. CANCEL: 200 and 487 (done by the stack).
 * - Other methods: 405 with Allow when SIP knows them, 501 when it does not.
 *
 * Run it: `npx tsx packages/sip/examples/registrar-uas.ts --port 5070 --transport udp --user alice --password secret`
 */
import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  acceptUriOnOwnHosts,
  computeHa1,
  createChallenge,
  createResponse,
  type Dialog,
  DialogTable,
  type DigestAlgorithm,
  type DigestVerifierConfig,
  generateTag,
  type LocalEndpoint,
  MemoryNonceCountStore,
  parseDigestAlgorithm,
  type ReceivedFrom,
  type ServerTransaction,
  type SipRequest,
  type SipResponse,
  SipStack,
  type SipStackDelegate,
  verifyRequestCredentials,
} from "@zaqros/sip";
import { MemoryBindings } from "./memory-bindings.ts";
import { sdpAnswer } from "./sdp-answer.ts";

const allowedMethods = ["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER"];

/** The port the SDP answer names. The example relays no media, so nothing listens there. */
const nominalMediaPort = 40_000;

export interface RegistrarUasOptions {
  transport: "udp" | "tcp";
  /** Default 127.0.0.1. */
  address?: string;
  /** Default 5070; 0 lets the system pick a free port. */
  port?: number;
  /** Username → password. Only the HA1 values derived from them are kept. */
  users: Readonly<Record<string, string>>;
  /** Default `zaqros.example`. */
  realm?: string;
  /** Challenges offered, most preferred first. Default SHA-256, then MD5. */
  algorithms?: readonly DigestAlgorithm[];
  /** One line per request handled; default silent. */
  log?: (line: string) => void;
}

/** The running element. */
export class RegistrarUas implements SipStackDelegate {
  readonly stack: SipStack;
  readonly bindings: MemoryBindings;
  readonly #protocol: "udp" | "tcp";
  readonly #digest: DigestVerifierConfig;
  /** The calls this UAS answered. */
  readonly #dialogs = new DialogTable();
  /** The session description each dialog answered with, repeated for a re-INVITE. */
  readonly #answers = new WeakMap<Dialog, string>();
  readonly #log: (line: string) => void;
  #endpoint: LocalEndpoint | undefined;
  /** Accepts a digest `uri` naming this element; set once the port is bound. */
  #ownHost: ((uri: string) => boolean) | undefined;

  private constructor(options: RegistrarUasOptions) {
    this.#protocol = options.transport;
    this.#log = options.log ?? (() => {});
    const realm = options.realm ?? "zaqros.example";
    const ha1 = new Map(
      Object.entries(options.users).map(([user, password]) => [
        user,
        {
          MD5: computeHa1("MD5", user, realm, password),
          "SHA-256": computeHa1("SHA-256", user, realm, password),
        },
      ]),
    );
    this.#digest = {
      realm,
      secret: randomBytes(32),
      now: Date.now,
      algorithms: options.algorithms ?? ["SHA-256", "MD5"],
      lookupHa1: ({ username, hash }) => ha1.get(username)?.[hash],
      nonceCounts: new MemoryNonceCountStore(),
      // SIPp 3.6.1 puts `sip:<host>:<port>` of its target in the digest uri, not the Request-URI.
      acceptUri: (uri) => this.#ownHost?.(uri) === true,
    };
    const address = options.address ?? "127.0.0.1";
    this.stack = new SipStack({
      transports: [
        options.transport === "udp"
          ? { protocol: "udp", address, port: options.port ?? 5070 }
          : { protocol: "tcp", address, port: options.port ?? 5070 },
      ],
      delegate: this,
      requestChecks: { allowedMethods, registrar: true },
    });
    this.bindings = new MemoryBindings({ now: () => this.stack.clock.now() });
  }

  /** Creates the element and starts listening. */
  static async start(options: RegistrarUasOptions): Promise<RegistrarUas> {
    const element = new RegistrarUas(options);
    const [endpoint] = await element.stack.listen();
    if (endpoint === undefined) throw new Error("nothing to listen on");
    element.#endpoint = endpoint;
    const sentBy = element.stack.sentBy(options.transport);
    element.#ownHost = acceptUriOnOwnHosts([`${sentBy.host}:${sentBy.port}`]);
    return element;
  }

  /** The bound address and port. */
  get endpoint(): LocalEndpoint {
    if (this.#endpoint === undefined) throw new Error("not listening");
    return this.#endpoint;
  }

  close(): Promise<void> {
    return this.stack.close();
  }

  async onRequest(request: SipRequest, transaction: ServerTransaction, origin: ReceivedFrom): Promise<void> {
    this.#log(
      `${request.method} from ${origin.source.protocol}:${origin.source.address}:${origin.source.port}`,
    );
    switch (request.method) {
      case "OPTIONS":
        this.stack.respond(
          transaction,
          createResponse(request, 200, undefined, {
            headers: [
              ["Allow", allowedMethods.join(", ")],
              ["Accept", "application/sdp"],
            ],
          }),
        );
        return;
      case "REGISTER":
        await this.#register(request, transaction);
        return;
      case "INVITE":
        this.#invite(request, transaction);
        return;
      case "BYE":
        this.#bye(request, transaction);
        return;
      default:
        this.stack.respond(transaction, createResponse(request, 405));
    }
  }

  /** The ACK for our 2xx: the stack has already stopped resending the 2xx. */
  onAck(ack: SipRequest): void {
    this.#dialogs.matchRequest(ack)?.receiveRequest(ack);
  }

  /** The stack answered the INVITE 487; the early dialog ends with it (RFC 3261 §12.3). */
  onCancel(_cancel: SipRequest, cancelled: ServerTransaction): void {
    // Only an INVITE the CANCEL ended has an early dialog to end (and still holds its request:
    // an INVITE transaction lets go of it only after an acknowledged 2xx).
    const response = cancelled.response;
    if (cancelled.kind === "invite-server" && response?.status === 487)
      this.#dialogs.receiveUasResponse(cancelled.request, response);
  }

  /**
   * @remarks RFC 3261 §13.3.1.4: "If the server retransmits the 2xx response for 64*T1 seconds
   * without receiving an ACK, the dialog is confirmed, but the session SHOULD be terminated.
   * This is accomplished with a BYE".
   */
  onUnacknowledged(response: SipResponse, transaction: ServerTransaction): void {
    const dialog = this.#dialogs.get({
      callId: response.headers.callId(),
      localTag: response.headers.to().params.get("tag") ?? undefined,
      remoteTag: transaction.request.headers.from().params.get("tag") ?? undefined,
    });
    if (dialog === undefined) return;
    this.#dialogs.remove(dialog);
    const target = dialog.remoteTarget;
    if (!("host" in target)) return;
    const transport = target.params.get("transport")?.toLowerCase() === "tcp" ? "tcp" : "udp";
    if (transport !== this.#protocol) return;
    this.stack.sendRequest(
      dialog.createBye(),
      { protocol: transport, host: target.host, port: target.port },
      { receiveResponse: () => {} },
    );
  }

  /**
   * @remarks RFC 3261 §10.3 step 3: "A registrar SHOULD authenticate the UAC." Step 5: "The
   * registrar SHOULD determine if the authenticated user is authorized to modify registrations
   * for this address-of-record." RFC 2617 §3.2.1 on stale: the client "may wish to simply retry
   * the request with a new encrypted response, without reprompting the user". A wrong password
   * or unknown user gets 403, the same for both so the answer does not tell which.
   */
  async #register(request: SipRequest, transaction: ServerTransaction): Promise<void> {
    const verdict = await verifyRequestCredentials(this.#digest, request);
    if (!verdict.ok) {
      switch (verdict.reason) {
        case "BAD_RESPONSE":
        case "UNKNOWN_USER":
          this.stack.respond(transaction, createResponse(request, 403));
          return;
        case "MALFORMED":
        case "URI_MISMATCH":
          this.stack.respond(transaction, createResponse(request, 400, "Bad Credentials"));
          return;
        default: {
          const challenges = createChallenge(this.#digest, { stale: verdict.reason === "STALE_NONCE" });
          const headers = challenges.map((c): [string, string] => ["WWW-Authenticate", c.value]);
          this.stack.respond(transaction, createResponse(request, 401, undefined, { headers }));
          return;
        }
      }
    }
    const to = request.headers.to().uri;
    if (!("host" in to)) {
      this.stack.respond(transaction, createResponse(request, 400, "To Must Be a SIP or SIPS URI"));
      return;
    }
    if (to.user !== verdict.username) {
      this.stack.respond(transaction, createResponse(request, 403, "Not Your Address-of-Record"));
      return;
    }
    const outcome = this.bindings.register(`${to.scheme}:${to.user}@${to.host.toLowerCase()}`, request);
    if (!outcome.ok) {
      this.stack.respond(transaction, createResponse(request, outcome.status, outcome.reason));
      return;
    }
    const headers: Array<[string, string]> = outcome.bindings.map(({ binding, expires }) => [
      "Contact",
      `<${binding.uri}>;expires=${expires}`,
    ]);
    headers.push(["Date", new Date().toUTCString()]);
    this.stack.respond(transaction, createResponse(request, 200, undefined, { headers }));
  }

  /**
   * @remarks RFC 3261 §13.3.1.1: "the UAS ... SHOULD send a provisional response" when it
   * "cannot answer the invitation immediately"; the 180 (Ringing) creates the early dialog and
   * its To tag, which the 200 repeats and confirms (§12.1.1: "the UAS MUST add a Contact header
   * field to the response"). §13.3.1.4: "A 2xx response to an INVITE SHOULD contain the Allow
   * header field and the Supported header field, and MAY contain the Accept header field."
   * §12.2.2: a re-INVITE inside a dialog is checked for CSeq order and answered with the same
   * session description.
   */
  #invite(request: SipRequest, transaction: ServerTransaction): void {
    if (request.headers.to().params.has("tag")) {
      const dialog = this.#dialogs.matchRequest(request);
      const answer = dialog === undefined ? undefined : this.#answers.get(dialog);
      if (dialog === undefined || answer === undefined) {
        this.stack.respond(transaction, createResponse(request, 481));
        return;
      }
      const rejection = dialog.receiveRequest(request);
      if (rejection !== undefined) {
        this.stack.respond(transaction, createResponse(request, rejection.status, rejection.reason));
        return;
      }
      this.stack.respond(transaction, this.#response(request, 200, dialog.id.localTag!, answer));
      return;
    }
    const sentBy = this.stack.sentBy(this.#protocol);
    const offer = request.body.length > 0 ? Buffer.from(request.body).toString("utf8") : undefined;
    const answer = sdpAnswer(offer, {
      address: sentBy.host.replace(/^\[|\]$/g, ""),
      mediaPort: nominalMediaPort,
      sessionId: String(Date.now()),
    });
    if (answer === undefined) {
      this.stack.respond(transaction, createResponse(request, 488));
      return;
    }
    const toTag = generateTag();
    this.stack.respond(transaction, createResponse(request, 100));
    const ringing = this.#response(request, 180, toTag);
    this.stack.respond(transaction, ringing);
    const dialog = this.#dialogs.receiveUasResponse(request, ringing);
    if (dialog !== undefined) this.#answers.set(dialog, answer);
    const ok = this.#response(request, 200, toTag, answer);
    this.stack.respond(transaction, ok);
    this.#dialogs.receiveUasResponse(request, ok);
  }

  #response(request: SipRequest, status: 180 | 200, toTag: string, answer?: string): SipResponse {
    const sentBy = this.stack.sentBy(this.#protocol);
    const transportParam = this.#protocol === "udp" ? "" : `;transport=${this.#protocol}`;
    const headers: Array<[string, string]> = [
      ["Contact", `<sip:uas@${sentBy.host}:${sentBy.port}${transportParam}>`],
    ];
    if (answer === undefined) return createResponse(request, status, undefined, { toTag, headers });
    headers.push(["Allow", allowedMethods.join(", ")], ["Supported", ""]);
    return createResponse(request, status, undefined, {
      toTag,
      headers,
      body: answer,
      contentType: "application/sdp",
    });
  }

  /**
   * @remarks RFC 3261 §15.1.2: "If the BYE does not match an existing dialog, the UAS core
   * SHOULD generate a 481 (Call/Transaction Does Not Exist) response and pass that to the
   * server transaction." / "the UAS core MUST generate a 2xx response to the BYE".
   */
  #bye(request: SipRequest, transaction: ServerTransaction): void {
    const dialog = this.#dialogs.matchRequest(request);
    if (dialog === undefined) {
      this.stack.respond(transaction, createResponse(request, 481));
      return;
    }
    const rejection = dialog.receiveRequest(request);
    if (rejection !== undefined) {
      this.stack.respond(transaction, createResponse(request, rejection.status, rejection.reason));
      return;
    }
    this.#dialogs.remove(dialog);
    this.stack.respond(transaction, createResponse(request, 200));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "5070" },
      transport: { type: "string", default: "udp" },
      address: { type: "string", default: "127.0.0.1" },
      user: { type: "string", default: "alice" },
      password: { type: "string" },
      realm: { type: "string", default: "zaqros.example" },
      // SIPp 3.6.1 reads only the first challenge and fails on SHA-256: give it MD5,SHA-256.
      algorithms: { type: "string", default: "SHA-256,MD5" },
    },
  });
  const transport = values.transport;
  if (transport !== "udp" && transport !== "tcp") throw new Error("--transport must be udp or tcp");
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error("--port must be 0-65535");
  if (values.password === undefined || values.password === "") throw new Error("--password is required");
  const algorithms = values.algorithms.split(",").map((name) => {
    const algorithm = parseDigestAlgorithm(name);
    if (algorithm === undefined) throw new Error(`unknown digest algorithm ${name}`);
    return algorithm;
  });
  const element = await RegistrarUas.start({
    transport,
    port,
    address: values.address,
    realm: values.realm,
    algorithms,
    users: { [values.user]: values.password },
    log: (line) => console.log(line),
  });
  console.log(`registrar-uas listening on ${transport}:${element.endpoint.address}:${element.endpoint.port}`);
  const stop = () => {
    element.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
