import type { MediaControl } from "@zaqros/media";
import {
  type Clock,
  createRequest,
  createResponse,
  type DigestAlgorithm,
  type ListenSpec,
  type LocalEndpoint,
  type NameAddr,
  type ReceivedFrom,
  type RequestTarget,
  type ServerTransaction,
  type SipRequest,
  type SipResponse,
  SipStack,
  type TimerHandle,
  type TimerValues,
} from "@zaqros/sip";
import type { AccountsService } from "../../domains/accounts/accounts.service.ts";
import { newCallId } from "../../domains/cdr/cdr-id.ts";
import type { DevicesService } from "../../domains/devices/devices.service.ts";
import type { NumbersService } from "../../domains/numbers/numbers.service.ts";
import type { RegistrationsService } from "../../domains/registrations/registrations.service.ts";
import type { CarriersService } from "../../domains/routing/carriers.service.ts";
import type { Logger } from "../../logging/logger.ts";
import { admitCall } from "./admission/admit-call.ts";
import { Call, type CallTimers, type LegSide } from "./b2bua/call.ts";
import type { CallRecord } from "./b2bua/call-record.ts";
import { ALLOW } from "./b2bua/leg-request.ts";
import type { CallBilling } from "./call-billing.ts";
import { DigestGate } from "./digest-gate.ts";
import { handleRegister } from "./registrar.ts";

export interface SipEdgeOptions {
  bindAddress: string;
  publicHost: string;
  sipDomain: string;
  /** UDP and TCP port; 0 picks a free one (tests). */
  sipPort: number;
  /** TLS port; undefined means no TLS listener. */
  sipTlsPort: number | undefined;
  tls?: { cert: string; key: string } | undefined;
  nodeId: string;
  secret: string;
  /** Digest challenges offered, in order (see DigestGate). */
  digestAlgorithms?: readonly DigestAlgorithm[];
  logger: Logger;
  services: {
    accounts: AccountsService;
    devices: DevicesService;
    registrations: RegistrationsService;
    carriers: CarriersService;
    numbers: NumbersService;
  };
  media: MediaControl;
  /** Real-time charging; without it calls are free and unlimited (tests of signalling alone). */
  billing?: CallBilling;
  /** Called once per finished call attempt, answered or not; billing writes the CDR. */
  onCallEnded?: (record: CallRecord) => void | Promise<void>;
  timers?: Partial<CallTimers>;
  /** How often carriers are probed with OPTIONS; 0 turns probing off. */
  carrierProbeIntervalMs?: number;
  clock?: Clock;
  /** Wall clock for call records; default the system's. */
  now?: () => Date;
  /** RFC 3261 timer values (T1, T2, T4 ...); tests shorten them. */
  sipTimers?: Partial<TimerValues>;
}

const DEFAULT_TIMERS: CallTimers = { noAnswerMs: 60_000, carrierSetupMs: 5_000 };
/** How long before its covered time runs out a call asks billing for more. */
const EXTEND_LEAD_MS = 10_000;
const HEARTBEAT_MS = 5_000;

/**
 * The SIP edge: the registrar, call admission and the B2BUA on one SIP stack. It receives every
 * service it uses; it builds no domain object itself.
 */
export class SipEdge {
  readonly stack: SipStack;
  private readonly gate: DigestGate;
  private readonly calls = new Set<Call>();
  private readonly byInvite = new WeakMap<ServerTransaction, Call>();
  private readonly byDialog = new Map<string, { call: Call; side: LegSide }>();
  /** Each call's keys in byDialog, so its end removes them without a scan of every dialog. */
  private readonly dialogKeys = new Map<Call, string[]>();
  private readonly timers: CallTimers;
  private endpoints: LocalEndpoint[] = [];
  private probeTimer: TimerHandle | undefined;
  private heartbeatTimer: TimerHandle | undefined;
  private readonly creditTimers = new Map<string, TimerHandle>();
  private readonly pendingRecords = new Set<Promise<void>>();
  private readonly log: Logger;

  constructor(private readonly options: SipEdgeOptions) {
    this.log = options.logger.child({ edge: "sip" });
    this.timers = { ...DEFAULT_TIMERS, ...options.timers };
    const transports: ListenSpec[] = [
      { protocol: "udp", address: options.bindAddress, port: options.sipPort },
      { protocol: "tcp", address: options.bindAddress, port: options.sipPort },
    ];
    if (options.sipTlsPort !== undefined && options.tls) {
      transports.push({
        protocol: "tls",
        address: options.bindAddress,
        port: options.sipTlsPort,
        tls: { server: options.tls },
      });
    }
    this.stack = new SipStack({
      transports,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.sipTimers ? { timers: options.sipTimers } : {}),
      advertisedHost: options.publicHost,
      delegate: {
        onRequest: (request, transaction, origin) => this.onRequest(request, transaction, origin),
        answerStatelessly: (request, origin) => this.challengeStatelessly(request, origin),
        onCancel: (_cancel, cancelled) => this.byInvite.get(cancelled)?.cancelledByCaller(),
        // RFC 3261 §13.3.1.4: a UAS whose 2xx is never acknowledged "SHOULD ... terminate the dialog
        // by sending a BYE"; the B2BUA ends both legs.
        onUnacknowledged: (_response, transaction) => this.byInvite.get(transaction)?.hangup("failed"),
        onDiscard: (discard) =>
          this.log.debug({ reason: discard.reason, source: discard.source.address }, "SIP message discarded"),
      },
    });
    this.gate = new DigestGate({
      realm: options.sipDomain,
      secret: options.secret,
      devices: options.services.devices,
      ownHosts: [options.publicHost, options.sipDomain, options.bindAddress],
      now: () => this.stack.clock.now(),
      ...(options.digestAlgorithms ? { algorithms: options.digestAlgorithms } : {}),
    });
  }

  /** Starts listening; resolves with the bound endpoints (ports resolved when 0 was asked). */
  async start(): Promise<LocalEndpoint[]> {
    const billing = this.options.billing;
    if (billing) {
      const recovered = await billing.recoverOrphans();
      if (recovered > 0)
        this.log.warn({ recovered }, "closed and charged calls a previous run left in progress");
      this.scheduleHeartbeat(billing);
    }
    this.endpoints = await this.stack.listen();
    const interval = this.options.carrierProbeIntervalMs ?? 30_000;
    if (interval > 0) this.scheduleProbe(interval);
    this.log.info(
      { endpoints: this.endpoints.map((e) => `${e.protocol}:${e.address}:${e.port}`) },
      "SIP listening",
    );
    return this.endpoints;
  }

  /** Hangs up every call, waits for their records, and closes the stack. */
  async stop(): Promise<void> {
    if (this.probeTimer) this.stack.clock.clearTimeout(this.probeTimer);
    if (this.heartbeatTimer) this.stack.clock.clearTimeout(this.heartbeatTimer);
    for (const call of [...this.calls]) call.hangup("system-shutdown");
    await new Promise((resolve) => setTimeout(resolve, 50));
    await Promise.allSettled([...this.pendingRecords]);
    await this.stack.close();
  }

  get activeCalls(): number {
    return this.calls.size;
  }

  /** Ids of the calls in progress, as the media relay and call records know them. */
  activeCallIds(): string[] {
    return [...this.calls].map((call) => call.id);
  }

  /**
   * Digest challenges go out without a transaction (RFC 3261 §8.2.7), so a phone's first REGISTER
   * or INVITE costs no state: a REGISTER without Authorization, or an initial INVITE without
   * Proxy-Authorization from an address no enabled carrier sends from. Everything else, and any
   * INVITE while the carriers are being read again, takes the stateful path.
   */
  private challengeStatelessly(request: SipRequest, origin: ReceivedFrom): SipResponse | undefined {
    if (request.headers.to().params.has("tag")) return undefined;
    if (request.method === "REGISTER") return this.gate.challengeIfMissing(request, "registrar");
    if (request.method !== "INVITE") return undefined;
    const carrier = this.options.services.carriers.carrierAtNow(origin.source.address);
    if (carrier === "stale" || carrier?.enabled) return undefined;
    return this.gate.challengeIfMissing(request, "proxy");
  }

  private async onRequest(
    request: SipRequest,
    transaction: ServerTransaction,
    origin: ReceivedFrom,
  ): Promise<void> {
    const toTag = request.headers.to().params.get("tag");
    if (toTag) {
      const found = this.byDialog.get(dialogKey(request.headers.callId(), toTag));
      if (!found) {
        this.stack.respond(transaction, createResponse(request, 481, "Call/Transaction Does Not Exist"));
        return;
      }
      await found.call.inDialog(request, transaction, found.side);
      return;
    }
    switch (request.method) {
      case "REGISTER":
        this.stack.respond(
          transaction,
          await handleRegister(
            request,
            {
              transport: origin.source.protocol,
              address: origin.source.address,
              port: origin.source.port,
              connectionId: origin.source.connectionId,
            },
            {
              gate: this.gate,
              registrations: this.options.services.registrations,
              nodeId: this.options.nodeId,
            },
          ),
        );
        return;
      case "OPTIONS":
        this.stack.respond(
          transaction,
          createResponse(request, 200, "OK", {
            headers: [
              ["Allow", ALLOW],
              ["Accept", "application/sdp"],
            ],
          }),
        );
        return;
      case "INVITE":
        await this.onInvite(request, transaction, origin);
        return;
      case "BYE":
      case "UPDATE":
      case "INFO":
        this.stack.respond(transaction, createResponse(request, 481, "Call/Transaction Does Not Exist"));
        return;
      default:
        this.stack.respond(
          transaction,
          createResponse(request, 405, "Method Not Allowed", { headers: [["Allow", ALLOW]] }),
        );
    }
  }

  private async onInvite(
    request: SipRequest,
    transaction: ServerTransaction,
    origin: ReceivedFrom,
  ): Promise<void> {
    const callId = newCallId();
    const billing = this.options.billing;
    const result = await admitCall(request, origin, {
      gate: this.gate,
      ...this.options.services,
      ...(billing ? { authoriseCredit: (call) => billing.authorise({ callId, ...call }) } : {}),
    });
    if (!result.admitted) {
      // The refusal's CDR is written before the phone hears the answer, so it exists once the phone knows.
      if (billing && result.attempt) {
        const attempt = result.attempt;
        await billing
          .recordRefusal({
            callId,
            accountId: attempt.accountId,
            deviceId: attempt.deviceId,
            source: attempt.username,
            destination: attempt.dialled.slice(0, 32),
            sipStatus: result.response.status,
          })
          .catch((error) => this.log.error({ err: error }, "refused call not recorded"));
      }
      this.stack.respond(transaction, result.response);
      return;
    }
    if (transaction.terminated || transaction.finalResponseSent) return;
    // No 100 Trying here: the INVITE server transaction sends one itself when nothing else went
    // out within 200 ms (RFC 3261 §17.2.1), and a carrier's 180 usually comes sooner.
    const aTarget: RequestTarget = {
      protocol: origin.source.protocol,
      host: origin.source.address,
      port: origin.source.port,
      ...(origin.source.connectionId ? { connectionId: origin.source.connectionId } : {}),
    };
    const call = new Call(callId, request, transaction, result.admission, aTarget, {
      stack: this.stack,
      media: this.options.media,
      logger: this.log,
      domain: this.options.sipDomain,
      contactFor: (protocol) => this.contactFor(protocol),
      timers: this.timers,
      now: this.options.now ?? (() => new Date()),
      bindDialog: (callId, localTag, bound, side) => {
        const key = dialogKey(callId, localTag);
        this.byDialog.set(key, { call: bound, side });
        const keys = this.dialogKeys.get(bound);
        if (keys) keys.push(key);
        else this.dialogKeys.set(bound, [key]);
      },
      answered: (answered) => this.onAnswered(answered),
      ended: (ended, record) => this.onEnded(ended, record),
    });
    this.calls.add(call);
    this.byInvite.set(transaction, call);
    await call.start();
  }

  /** Ends a call from outside (billing's credit ran out, the media relay saw no RTP). */
  hangupCall(callId: string, cause: "system-credit" | "system-media"): boolean {
    for (const call of this.calls) {
      if (call.id === callId) {
        call.hangup(cause);
        return true;
      }
    }
    return false;
  }

  /** Moves an answered call's limit (seconds from answer), e.g. after billing extended its credit. */
  setCallLimit(callId: string, totalSeconds: number): void {
    for (const call of this.calls) if (call.id === callId) call.setLimit(totalSeconds);
  }

  private onAnswered(call: Call): void {
    const billing = this.options.billing;
    if (!billing || !call.admission.creditHandle || !call.answeredAt) return;
    void billing
      .answered(call.id, call.answeredAt)
      .catch((error) => this.log.error({ err: error }, "answer not recorded"));
    const covered = call.admission.maxDurationSeconds;
    if (covered !== undefined) this.scheduleExtension(call, covered, billing);
  }

  /**
   * Keeps credit ahead of the talk time: shortly before the covered seconds run out, billing holds
   * the next slice and the call's limit moves; when nothing more can be held the limit stays, and
   * the call is cut at the second the money ends.
   */
  private scheduleExtension(call: Call, coveredSeconds: number, billing: CallBilling): void {
    const due = call.answeredOnClock + coveredSeconds * 1000 - EXTEND_LEAD_MS - this.stack.clock.now();
    const timer = this.stack.clock.setTimeout(
      async () => {
        this.creditTimers.delete(call.id);
        if (call.state !== "answered") return;
        try {
          const more = await billing.extend(call.id);
          if (more === undefined || call.state !== "answered") return;
          call.setLimit(more);
          this.scheduleExtension(call, more, billing);
        } catch (error) {
          this.log.error(
            { err: error, callId: call.id },
            "credit not extended; the call ends when its covered time does",
          );
        }
      },
      Math.max(0, due),
    );
    this.creditTimers.set(call.id, timer);
  }

  private scheduleHeartbeat(billing: CallBilling): void {
    this.heartbeatTimer = this.stack.clock.setTimeout(() => {
      const ids = [...this.calls].filter((c) => c.admission.creditHandle).map((c) => c.id);
      const beat = ids.length > 0 ? billing.heartbeat(ids) : Promise.resolve(0);
      void beat
        .catch((error) => this.log.error({ err: error }, "heartbeat failed"))
        .finally(() => this.scheduleHeartbeat(billing));
    }, HEARTBEAT_MS);
  }

  private onEnded(call: Call, record: CallRecord): void {
    this.calls.delete(call);
    // The caller's INVITE transaction outlives the call by up to 32 s (Timer L); see letGoOfLateAnswers.
    this.byInvite.delete(call.inviteTransaction);
    const creditTimer = this.creditTimers.get(call.id);
    if (creditTimer) this.stack.clock.clearTimeout(creditTimer);
    this.creditTimers.delete(call.id);
    for (const key of this.dialogKeys.get(call) ?? []) {
      if (this.byDialog.get(key)?.call === call) this.byDialog.delete(key);
    }
    this.dialogKeys.delete(call);
    const hook = this.options.onCallEnded;
    const billing = this.options.billing;
    const pending = Promise.resolve()
      .then(() => billing?.finish(record))
      .then(() => hook?.(record))
      .catch((error) => this.log.error({ err: error, callId: record.id }, "call record not written"))
      .finally(() => this.pendingRecords.delete(pending));
    this.pendingRecords.add(pending);
  }

  private contactFor(protocol: RequestTarget["protocol"]): NameAddr {
    const endpoint = this.endpoints.find((e) => e.protocol === protocol) ?? this.endpoints[0];
    const params = new Map<string, string | null>();
    if (protocol !== "udp") params.set("transport", protocol);
    return {
      uri: {
        scheme: "sip",
        user: "zaqros",
        host: this.options.publicHost,
        port: endpoint?.port ?? this.options.sipPort,
        params,
        headers: new Map(),
      },
      params: new Map(),
    };
  }

  private scheduleProbe(interval: number): void {
    this.probeTimer = this.stack.clock.setTimeout(() => {
      void this.probeCarriers().finally(() => this.scheduleProbe(interval));
    }, interval);
  }

  /** Sends OPTIONS to every enabled carrier; one that does not answer leaves routing until it does. */
  async probeCarriers(): Promise<void> {
    const carriers = (await this.options.services.carriers.list()).filter((c) => c.enabled);
    await Promise.all(
      carriers.map(
        (carrier) =>
          new Promise<void>((resolve) => {
            const request = createRequest({
              method: "OPTIONS",
              uri: `sip:${carrier.host}:${carrier.port}`,
              from: {
                uri: {
                  scheme: "sip",
                  user: "probe",
                  host: this.options.sipDomain,
                  params: new Map(),
                  headers: new Map(),
                },
                params: new Map(),
              },
              to: {
                uri: {
                  scheme: "sip",
                  host: carrier.host,
                  port: carrier.port,
                  params: new Map(),
                  headers: new Map(),
                },
                params: new Map(),
              },
            });
            try {
              this.stack.sendRequest(
                request,
                { protocol: carrier.transport, host: carrier.host, port: carrier.port },
                {
                  receiveResponse: (response) => {
                    if (response.status < 200) return;
                    const answered = response.status !== 408 && response.status !== 503;
                    if (answered !== carrier.reachable) {
                      this.log.warn({ carrier: carrier.name, answered }, "carrier reachability changed");
                    }
                    void this.options.services.carriers.recordProbe(carrier.id, answered).finally(resolve);
                  },
                },
              );
            } catch {
              void this.options.services.carriers.recordProbe(carrier.id, false).finally(resolve);
            }
          }),
      ),
    );
  }
}

function dialogKey(callId: string, localTag: string): string {
  return `${callId}\u0000${localTag}`;
}
