import {
  createRequest,
  formatUri,
  type NameAddr,
  type RequestTarget,
  type SipRequest,
  type SipResponse,
} from "@zaqros/sip";

/**
 * The dialog of one leg of a bridged call, from the B2BUA's side, and where in-dialog requests
 * for it go. In-dialog requests are sent to the address the leg's first message came from or went
 * to (not to the Contact's host), so phones behind NAT and carriers behind SBCs stay reachable.
 *
 * @remarks RFC 3261 §12.2.1.1: "The UAC uses the remote target and route set to build the
 * Request-URI and Route header field of the request." §12.1.1 (UAS): "The route set MUST be set
 * to the list of URIs in the Record-Route header field from the request ... in order";
 * §12.1.2 (UAC): "... taken in reverse order".
 */
export class Leg {
  remoteTag: string | undefined;
  remoteTarget: string;
  routeSet: string[];
  private localCseq: number;

  private constructor(
    readonly callId: string,
    private readonly local: NameAddr,
    private remote: NameAddr,
    remoteTarget: string,
    routeSet: string[],
    localCseq: number,
    readonly target: RequestTarget,
    readonly contact: NameAddr,
  ) {
    this.remoteTarget = remoteTarget;
    this.routeSet = routeSet;
    this.localCseq = localCseq;
    this.remoteTag = remote.params.get("tag") ?? undefined;
  }

  get localTag(): string {
    return this.local.params.get("tag") ?? "";
  }

  /** The leg towards the caller, from its INVITE: we are the UAS and pick our tag. */
  static fromIncoming(invite: SipRequest, localTag: string, target: RequestTarget, contact: NameAddr): Leg {
    const to = invite.headers.to();
    const local: NameAddr = { ...to, params: new Map([...to.params, ["tag", localTag]]) };
    const contacts = invite.headers.contact();
    const remoteTarget = contacts !== "*" && contacts[0] ? formatUriOf(contacts[0]) : invite.uriText;
    const routeSet = invite.headers.getList("record-route");
    return new Leg(
      invite.headers.callId(),
      local,
      invite.headers.from(),
      remoteTarget,
      routeSet,
      0,
      target,
      contact,
    );
  }

  /** The leg towards the callee, from the INVITE we sent and its dialog-making response. */
  static fromOutgoing(
    invite: SipRequest,
    response: SipResponse,
    target: RequestTarget,
    contact: NameAddr,
  ): Leg {
    const contacts = response.headers.contact();
    const remoteTarget = contacts !== "*" && contacts[0] ? formatUriOf(contacts[0]) : invite.uriText;
    const routeSet = response.headers.getList("record-route").reverse();
    return new Leg(
      invite.headers.callId(),
      invite.headers.from(),
      response.headers.to(),
      remoteTarget,
      routeSet,
      invite.headers.cseq().seq,
      target,
      contact,
    );
  }

  /** Takes a target refresh (re-INVITE or UPDATE from the other side, or its 2xx). */
  refreshTarget(message: SipRequest | SipResponse): void {
    const contacts = message.headers.contact();
    if (contacts !== "*" && contacts[0]) this.remoteTarget = formatUriOf(contacts[0]);
  }

  /** A new in-dialog request (BYE, re-INVITE, UPDATE) with the next CSeq. */
  request(method: string, body?: { sdp: string }): SipRequest {
    this.localCseq += 1;
    return this.build(method, this.localCseq, body);
  }

  /**
   * The ACK for a 2xx to INVITE: same CSeq number as the INVITE.
   *
   * @remarks RFC 3261 §13.2.2.4: "The sequence number of the CSeq header field MUST be the same
   * as the INVITE being acknowledged, but the CSeq method MUST be ACK."
   */
  ack(inviteCseq: number): SipRequest {
    return this.build("ACK", inviteCseq);
  }

  private build(method: string, cseq: number, body?: { sdp: string }): SipRequest {
    return createRequest({
      method,
      uri: this.remoteTarget,
      from: this.local,
      to: this.remote,
      callId: this.callId,
      cseq,
      contact: method === "ACK" || method === "BYE" ? undefined : this.contact,
      headers: this.routeSet.map((route) => ["Route", route] as const),
      ...(body ? { body: body.sdp, contentType: "application/sdp" } : {}),
    });
  }

  /** Learns the remote tag of a leg we created once its answer arrives. */
  setRemote(response: SipResponse): void {
    this.remote = response.headers.to();
    this.remoteTag = this.remote.params.get("tag") ?? undefined;
  }
}

function formatUriOf(address: NameAddr): string {
  return formatUri(address.uri);
}
