import { createResponse, formatUri, type NameAddr, type SipRequest, type SipResponse } from "@zaqros/sip";
import { DomainError } from "../../domains/domain-error.ts";
import type { RegistrationsService } from "../../domains/registrations/registrations.service.ts";
import type { ContactRequest, RegistrationSource } from "../../domains/registrations/registrations.types.ts";
import type { DigestGate } from "./digest-gate.ts";
import { asSipUri } from "./uri-parts.ts";

export interface RegistrarDeps {
  gate: DigestGate;
  registrations: RegistrationsService;
  nodeId: string;
  /** Expiry when neither the Contact nor an Expires header names one (RFC 3261 §10.2.1.1). */
  defaultExpires?: number;
}

function parseQ(value: string | null | undefined): number | undefined {
  if (value === undefined || value === null) return 1000;
  if (!/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value)) return undefined;
  return Math.round(Number(value) * 1000);
}

/**
 * The registrar (RFC 3261 §10.3): authenticates the phone, checks that it registers its own
 * address-of-record, then adds, refreshes or removes its bindings in the location store.
 */
export async function handleRegister(
  request: SipRequest,
  source: RegistrationSource,
  deps: RegistrarDeps,
): Promise<SipResponse> {
  const auth = await deps.gate.authenticate(request, "registrar");
  if (!auth.ok) return auth.response;
  const device = auth.device;

  // §10.3 step 3: "the registrar ... MUST determine if the authenticated user is authorized to
  // modify registrations for this address-of-record."
  const to = request.headers.to();
  const aorUser = asSipUri(to.uri)?.user;
  if (aorUser !== device.username) return createResponse(request, 403, "Not Your Address-of-Record");

  const headerExpires = request.headers.expires();
  const contactField = request.headers.contact();
  let contacts: ContactRequest[] | "*";
  if (contactField === "*") {
    // §10.3 step 6: "*" only with "Expires: 0" and no other Contact.
    if (headerExpires !== 0 || request.headers.getRaw("contact").length > 1) {
      return createResponse(request, 400, "Invalid Wildcard Contact");
    }
    contacts = "*";
  } else {
    contacts = [];
    for (const contact of contactField as NameAddr[]) {
      const q = parseQ(contact.params.get("q"));
      if (q === undefined) return createResponse(request, 400, "Invalid q Value");
      const raw = contact.params.get("expires");
      const expires =
        raw != null && /^\d{1,10}$/.test(raw) ? Number(raw) : (headerExpires ?? deps.defaultExpires ?? 3600);
      contacts.push({ uri: formatUri(contact.uri), expires, q });
    }
  }

  const cseq = request.headers.cseq();
  try {
    const bindings = await deps.registrations.register({
      deviceId: device.deviceId,
      accountId: device.accountId,
      contacts,
      callId: request.headers.callId(),
      cseq: cseq.seq,
      source,
      userAgent: request.headers.first("user-agent"),
      nodeId: deps.nodeId,
    });
    // §10.3 step 8: "The response SHOULD include a Contact header field enumerating all current bindings."
    return createResponse(request, 200, "OK", {
      headers: [
        ...bindings.map((b) => ["Contact", `<${b.contactUri}>;expires=${b.expiresIn}`] as const),
        ["Date", new Date().toUTCString()] as const,
      ],
    });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    switch (error.code) {
      case "REGISTRATION.INTERVAL_TOO_BRIEF":
        return createResponse(request, 423, "Interval Too Brief", {
          headers: [
            ["Min-Expires", String(error.details?.minExpires ?? deps.registrations.policy.minExpires)],
          ],
        });
      case "REGISTRATION.OUT_OF_ORDER":
        return createResponse(request, 500, "Out Of Order Registration", { headers: [["Retry-After", "1"]] });
      case "REGISTRATION.TOO_MANY_CONTACTS":
        return createResponse(request, 403, "Too Many Registered Contacts");
      default:
        throw error;
    }
  }
}
