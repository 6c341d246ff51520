import type { SipRequest, SipResponse } from "../message/types.ts";
import { Dialog } from "./dialog.ts";
import { type DialogId, dialogIdOfRequest, dialogIdOfResponse } from "./dialog-id.ts";

/**
 * The live dialogs of a UA, found by dialog ID.
 *
 * Dialogs are filed per call leg (Call-ID and local tag) and, within it, by remote tag, so that
 * the several early and confirmed dialogs a forked INVITE creates live side by side.
 *
 * @remarks RFC 3261 §13.2.2.4: "Multiple 2xx responses may arrive at the UAC for a single INVITE
 * request due to a forking proxy. Each response is distinguished by the tag parameter in the To
 * header field, and each represents a distinct dialog, with a distinct dialog identifier."
 */
export class DialogTable {
  readonly #legs = new Map<string, Map<string, Dialog>>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get(id: DialogId): Dialog | undefined {
    return this.#legs.get(legKey(id.callId, id.localTag))?.get(id.remoteTag ?? "");
  }

  /** Files a dialog built elsewhere; throws when one with the same ID is live. */
  add(dialog: Dialog): void {
    const key = legKey(dialog.id.callId, dialog.id.localTag);
    let leg = this.#legs.get(key);
    if (leg === undefined) {
      leg = new Map();
      this.#legs.set(key, leg);
    }
    const remoteTag = dialog.id.remoteTag ?? "";
    if (leg.has(remoteTag)) throw new Error("a dialog with this ID already exists");
    leg.set(remoteTag, dialog);
    this.#size++;
  }

  /** Terminates a dialog and forgets it. */
  remove(dialog: Dialog): void {
    dialog.terminate();
    const key = legKey(dialog.id.callId, dialog.id.localTag);
    const leg = this.#legs.get(key);
    const remoteTag = dialog.id.remoteTag ?? "";
    if (leg?.get(remoteTag) !== dialog) return;
    leg.delete(remoteTag);
    if (leg.size === 0) this.#legs.delete(key);
    this.#size--;
  }

  /**
   * The dialog an incoming request belongs to, or undefined (also when it has no To tag).
   *
   * @remarks RFC 3261 §12.2.2: "If the request has a tag in the To header field, the UAS core
   * computes the dialog identifier corresponding to the request and compares it with existing
   * dialogs. If there is a match, this is a mid-dialog request."
   */
  matchRequest(request: SipRequest): Dialog | undefined {
    const id = dialogIdOfRequest(request);
    return id.localTag === undefined ? undefined : this.get(id);
  }

  /** The dialog a response to an in-dialog request belongs to, or undefined. */
  matchResponse(response: SipResponse): Dialog | undefined {
    return this.get(dialogIdOfResponse(response));
  }

  /**
   * What a UAC does with each response to its INVITE: a 101-199 with a To tag creates an early
   * dialog (once per remote tag), a 2xx confirms the matching dialog or creates a confirmed one,
   * and a non-2xx final response ends every early dialog of the INVITE.
   *
   * @returns the dialog the response created or moved on, or undefined.
   * @remarks RFC 3261 §13.2.2.1: "If a provisional response has a tag in the To field, and if
   * the dialog ID of the response does not match an existing dialog, one is constructed using the
   * procedures defined in Section 12.1.2." §13.2.2.4: "Otherwise, a new dialog in the "confirmed"
   * state MUST be constructed using the procedures of Section 12.1.2." §12.3: "Independent of the
   * method, if a request outside of a dialog generates a non-2xx final response, any early
   * dialogs created through provisional responses to that request are terminated." §12.1: "only
   * 2xx and 101-199 responses with a To tag, where the request was INVITE, will establish a
   * dialog."
   */
  receiveUacResponse(invite: SipRequest, response: SipResponse): Dialog | undefined {
    if (invite.method !== "INVITE") return undefined;
    const status = response.status;
    if (status >= 300) {
      this.terminateEarlyDialogs(invite);
      return undefined;
    }
    const hasToTag = response.headers.to().params.has("tag");
    if (status < 101 || (status < 200 && !hasToTag)) return undefined;
    const existing = this.get(dialogIdOfResponse(response));
    if (existing !== undefined) {
      if (status >= 200 && existing.state === "early") existing.confirm(response);
      return existing;
    }
    const dialog = Dialog.createUac(invite, response);
    this.add(dialog);
    return dialog;
  }

  /**
   * What a UAS does when it sends a response to an INVITE: a 101-199 or 2xx with a To tag
   * creates the dialog (early or confirmed), a 2xx confirms the early one, a non-2xx final
   * response ends it.
   *
   * @returns the dialog the response created or moved on, or undefined.
   */
  receiveUasResponse(invite: SipRequest, response: SipResponse): Dialog | undefined {
    if (invite.method !== "INVITE") return undefined;
    const status = response.status;
    const id: DialogId = {
      callId: invite.headers.callId(),
      localTag: response.headers.to().params.get("tag") ?? undefined,
      remoteTag: invite.headers.from().params.get("tag") ?? undefined,
    };
    const existing = id.localTag === undefined ? undefined : this.get(id);
    if (status >= 300) {
      if (existing?.state === "early") this.remove(existing);
      return undefined;
    }
    if (status < 101 || id.localTag === undefined) return undefined;
    if (existing !== undefined) {
      if (status >= 200 && existing.state === "early") existing.confirm();
      return existing;
    }
    const dialog = Dialog.createUas(invite, response);
    this.add(dialog);
    return dialog;
  }

  /**
   * Ends the early dialogs of an INVITE this UA sent, e.g. on its non-2xx final response, or
   * 64*T1 after its first 2xx (when the INVITE client transaction leaves the Accepted state).
   *
   * @remarks RFC 3261 §13.2.2.4: "The UAC core considers the INVITE transaction completed 64*T1
   * seconds after the reception of the first 2xx response. At this point all the early dialogs
   * that have not transitioned to established dialogs are terminated."
   */
  terminateEarlyDialogs(invite: SipRequest): Dialog[] {
    const leg = this.#legs.get(
      legKey(invite.headers.callId(), invite.headers.from().params.get("tag") ?? undefined),
    );
    if (leg === undefined) return [];
    const ended = [...leg.values()].filter((dialog) => dialog.state === "early");
    for (const dialog of ended) this.remove(dialog);
    return ended;
  }
}

function legKey(callId: string, localTag: string | undefined): string {
  return `${callId}\u0000${localTag ?? ""}`;
}
