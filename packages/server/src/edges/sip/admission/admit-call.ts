import { createResponse, type ReceivedFrom, type SipRequest } from "@zaqros/sip";
import type { AccountsService } from "../../../domains/accounts/accounts.service.ts";
import { DomainError } from "../../../domains/domain-error.ts";
import type { NumbersService } from "../../../domains/numbers/numbers.service.ts";
import type { RegistrationsService } from "../../../domains/registrations/registrations.service.ts";
import type { CarriersService } from "../../../domains/routing/carriers.service.ts";
import { dialledToE164 } from "../../../domains/routing/dial-plan.ts";
import { wantsPrivacy } from "../b2bua/leg-request.ts";
import type { DigestGate } from "../digest-gate.ts";
import { sipStatusFor } from "../sip-status.ts";
import { userOf } from "../uri-parts.ts";
import type {
  Admission,
  AdmissionResult,
  CallDirection,
  CallingParty,
  CallTarget,
} from "./admission.types.ts";

/** A customer's call refused after the customer was identified: it still gets a CDR. */
export interface RefusedAttempt {
  accountId: string;
  deviceId: string;
  username: string;
  /** What the customer dialled: E.164 once read, else as dialled. */
  dialled: string;
}

/** What billing answers when asked whether a call may start. */
export interface CreditDecision {
  maxDurationSeconds: number | undefined;
  handle: string | undefined;
}

/** Billing's side of admission; throws a DomainError (BILLING.INSUFFICIENT_FUNDS) to refuse. */
export type AuthoriseCredit = (call: {
  accountId: string;
  deviceId: string | undefined;
  direction: CallDirection;
  source: string;
  destination: string;
  target: CallTarget;
}) => Promise<CreditDecision>;

export interface AdmissionDeps {
  gate: DigestGate;
  accounts: AccountsService;
  carriers: CarriersService;
  numbers: NumbersService;
  registrations: RegistrationsService;
  authoriseCredit?: AuthoriseCredit;
}

/** A step either moves the call on or ends it with a SIP response. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly reasonPhrase: string,
    readonly response?: ReturnType<typeof createResponse>,
  ) {
    super(reasonPhrase);
  }
}

/**
 * The admission pipeline, read top to bottom as the story of a call:
 * identify the caller -> normalise the number -> route it -> authorise credit.
 */
export async function admitCall(
  invite: SipRequest,
  origin: ReceivedFrom,
  deps: AdmissionDeps,
): Promise<AdmissionResult> {
  let attempt: RefusedAttempt | undefined;
  try {
    const caller = await identifyCaller(invite, origin, deps);
    if (caller.kind === "device") {
      attempt = {
        accountId: caller.accountId,
        deviceId: caller.deviceId,
        username: caller.username,
        dialled: userOf(invite.uri) ?? "",
      };
    }
    const destination = await normaliseDestination(invite, caller, deps);
    if (attempt) attempt.dialled = destination;
    const routed = await routeCall(destination, caller, deps);
    const source = callerNumber(invite, caller);
    const credit = await authoriseCredit(routed, caller, source, destination, deps);
    const admission: Admission = {
      caller,
      direction: routed.direction,
      billedAccountId: routed.billedAccountId,
      source,
      destination,
      identity: { user: source, anonymous: wantsPrivacy(invite) },
      target: routed.target,
      maxDurationSeconds: credit.maxDurationSeconds,
      creditHandle: credit.handle,
    };
    return { admitted: true, admission };
  } catch (error) {
    if (error instanceof Refusal) {
      return {
        admitted: false,
        reason: error.reasonPhrase,
        response: error.response ?? createResponse(invite, error.status, error.reasonPhrase),
        attempt,
      };
    }
    if (error instanceof DomainError) {
      const [status, reason] = sipStatusFor(error.code);
      return {
        admitted: false,
        reason: error.code,
        response: createResponse(invite, status, reason),
        attempt,
      };
    }
    throw error;
  }
}

/** Calls from a carrier are known by their source address; everyone else proves a device's password (407). */
async function identifyCaller(
  invite: SipRequest,
  origin: ReceivedFrom,
  deps: AdmissionDeps,
): Promise<CallingParty> {
  const carrier = await deps.carriers.carrierAt(origin.source.address);
  if (carrier?.enabled) return { kind: "carrier", carrier };
  const outcome = await deps.gate.authenticate(invite, "proxy");
  if (!outcome.ok) throw new Refusal(outcome.response.status, outcome.reason, outcome.response);
  const account = await deps.accounts.forSignalling(outcome.device.accountId);
  if (account.status !== "active") throw new Refusal(403, "Account Not Active");
  return {
    kind: "device",
    accountId: account.id,
    deviceId: outcome.device.deviceId,
    username: outcome.device.username,
    country: account.country,
    callerId: account.callerId,
  };
}

async function normaliseDestination(
  invite: SipRequest,
  caller: CallingParty,
  _deps: AdmissionDeps,
): Promise<string> {
  const user = userOf(invite.uri);
  if (!user) throw new Refusal(404, "No Number In Request-URI");
  if (caller.kind === "device") return dialledToE164(user, caller.country);
  // Carriers send international numbers, with or without the leading +.
  return dialledToE164(user.startsWith("+") ? user : `+${user}`, "US");
}

async function routeCall(
  destination: string,
  caller: CallingParty,
  deps: AdmissionDeps,
): Promise<{ direction: CallDirection; billedAccountId: string; target: CallTarget }> {
  const owned = await deps.numbers.owner(destination);
  if (owned) {
    const bindings = await deps.registrations.contactsForAccount(owned.accountId);
    if (bindings.length === 0) throw new Refusal(480, "Temporarily Unavailable");
    return {
      direction: caller.kind === "carrier" ? "inbound" : "onnet",
      billedAccountId: caller.kind === "carrier" ? owned.accountId : caller.accountId,
      target: { kind: "phones", accountId: owned.accountId, bindings },
    };
  }
  if (caller.kind === "carrier") throw new Refusal(404, "Number Not Found");
  const routes = await deps.carriers.routesFor(destination);
  if (routes.length === 0) throw new DomainError("ROUTING.NO_ROUTE", `No carrier serves ${destination}.`);
  return { direction: "outbound", billedAccountId: caller.accountId, target: { kind: "carriers", routes } };
}

async function authoriseCredit(
  routed: { direction: CallDirection; billedAccountId: string; target: CallTarget },
  caller: CallingParty,
  source: string,
  destination: string,
  deps: AdmissionDeps,
): Promise<{ maxDurationSeconds: number | undefined; handle: string | undefined }> {
  if (!deps.authoriseCredit) return { maxDurationSeconds: undefined, handle: undefined };
  return deps.authoriseCredit({
    accountId: routed.billedAccountId,
    deviceId: caller.kind === "device" ? caller.deviceId : undefined,
    direction: routed.direction,
    source,
    destination,
    target: routed.target,
  });
}

function callerNumber(invite: SipRequest, caller: CallingParty): string {
  if (caller.kind === "device") return caller.callerId ?? caller.username;
  const user = userOf(invite.headers.from().uri);
  if (!user) return "anonymous";
  try {
    return dialledToE164(user.startsWith("+") ? user : `+${user}`, "US");
  } catch {
    return user.slice(0, 32);
  }
}
