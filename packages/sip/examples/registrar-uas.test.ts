/**
 * The example element driven by this library's own client side, for what SIPp's scenarios do
 * not reach: SHA-256 digest, de-registration, re-INVITE, BYE outside a dialog, an offer with no
 * codec in common.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  answerChallenge,
  ClientNonceCounter,
  createRequest,
  Dialog,
  parseNameAddr,
  type SipRequest,
  type SipResponse,
  SipStack,
} from "@zaqros/sip";
import { RegistrarUas } from "./registrar-uas.ts";

describe("the example registrar/UAS, driven by a SipStack client over UDP", () => {
  let element: RegistrarUas;
  let client: SipStack;
  let clientPort: number;

  before(async () => {
    element = await RegistrarUas.start({ transport: "udp", port: 0, users: { bob: "hunter2" } });
    client = new SipStack({
      transports: [{ protocol: "udp", address: "127.0.0.1", port: 0 }],
      delegate: { onRequest: () => {} },
    });
    const [local] = await client.listen();
    clientPort = local!.port;
  });
  after(async () => {
    await client.close();
    await element.close();
  });

  /** Sends a request and resolves with its final response. */
  function send(request: SipRequest): Promise<SipResponse> {
    return new Promise((resolve) => {
      client.sendRequest(
        request,
        { protocol: "udp", host: "127.0.0.1", port: element.endpoint.port },
        {
          receiveResponse: (response) => {
            if (response.status >= 200) resolve(response);
          },
        },
      );
    });
  }

  const aor = () => `sip:bob@127.0.0.1:${element.endpoint.port}`;

  function register(cseq: number, contact: string): SipRequest {
    return createRequest({
      method: "REGISTER",
      uri: `sip:127.0.0.1:${element.endpoint.port}`,
      from: parseNameAddr(`<${aor()}>;tag=reg`),
      to: parseNameAddr(`<${aor()}>`),
      callId: "registration-1",
      cseq,
      headers: [
        ["Contact", contact],
        ["Expires", "600"],
      ],
    });
  }

  function invite(body: string, callId: string): SipRequest {
    return createRequest({
      method: "INVITE",
      uri: `sip:uas@127.0.0.1:${element.endpoint.port}`,
      from: parseNameAddr("<sip:caller@example.com>"),
      to: parseNameAddr("<sip:uas@example.com>"),
      callId,
      contact: parseNameAddr(`<sip:caller@127.0.0.1:${clientPort}>`),
      body,
      contentType: "application/sdp",
    });
  }

  const pcmuOffer = [
    "v=0",
    "o=- 1 1 IN IP4 127.0.0.1",
    "s=-",
    "c=IN IP4 127.0.0.1",
    "t=0 0",
    "m=audio 49170 RTP/AVP 8 0",
    "",
  ].join("\r\n");

  test("when a client registers, then it is offered SHA-256 before MD5, its SHA-256 answer is accepted and its contact bound, and a wildcard with Expires 0 removes the binding", async () => {
    const contact = `<sip:bob@127.0.0.1:${clientPort}>`;
    const challenge = await send(register(1, contact));
    assert.equal(challenge.status, 401);
    const offered = challenge.headers.auth("www-authenticate").map((c) => c.params.get("algorithm"));
    assert.deepEqual(offered, ["SHA-256", "MD5"]);

    const counter = new ClientNonceCounter();
    const withCredentials = (request: SipRequest) => {
      const answer = answerChallenge({
        challenge: challenge.headers.auth("www-authenticate"),
        method: "REGISTER",
        uri: request.uriText,
        username: "bob",
        password: "hunter2",
        nc: counter,
      });
      assert.ok(answer.ok);
      assert.equal(answer.algorithm, "SHA-256");
      request.headers.append("Authorization", answer.value);
      return request;
    };
    const ok = await send(withCredentials(register(2, contact)));
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.headers.getList("contact"), [`${contact};expires=600`]);
    assert.equal(element.bindings.lookup("sip:bob@127.0.0.1").length, 1);

    const wildcard = createRequest({
      method: "REGISTER",
      uri: `sip:127.0.0.1:${element.endpoint.port}`,
      from: parseNameAddr(`<${aor()}>;tag=reg`),
      to: parseNameAddr(`<${aor()}>`),
      callId: "registration-1",
      cseq: 3,
      headers: [
        ["Contact", "*"],
        ["Expires", "0"],
      ],
    });
    assert.equal((await send(withCredentials(wildcard))).status, 200);
    assert.deepEqual(element.bindings.lookup("sip:bob@127.0.0.1"), []);
  });

  test("when a call is answered, then a re-INVITE gets the same answer, an out-of-order one gets 500, and BYE ends the call so a second BYE gets 481", async () => {
    const initial = invite(pcmuOffer, "call-1");
    const ok = await send(initial);
    assert.equal(ok.status, 200);
    const answer = Buffer.from(ok.body).toString("utf8");
    assert.match(answer, /^m=audio \d+ RTP\/AVP 8$/m);
    const dialog = Dialog.createUac(initial, ok);
    await client.sendAck(dialog.createAck(initial), {
      protocol: "udp",
      host: "127.0.0.1",
      port: element.endpoint.port,
    });

    const reInvite = dialog.createReInvite({ body: pcmuOffer, contentType: "application/sdp" });
    const reOk = await send(reInvite);
    assert.equal(reOk.status, 200);
    assert.equal(Buffer.from(reOk.body).toString("utf8"), answer);
    await client.sendAck(dialog.createAck(reInvite), {
      protocol: "udp",
      host: "127.0.0.1",
      port: element.endpoint.port,
    });

    const stale = dialog.createRequest("INVITE", { body: pcmuOffer, contentType: "application/sdp" });
    stale.headers.set("CSeq", `${reInvite.headers.cseq().seq} INVITE`);
    assert.equal((await send(stale)).status, 500);

    assert.equal((await send(dialog.createBye())).status, 200);
    assert.equal((await send(dialog.createBye())).status, 481);
  });

  test("when an offer has no codec in common, then the INVITE is refused with 488", async () => {
    const head = ["v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0"];
    const offer = [...head, "m=audio 49170 RTP/AVP 18", "a=rtpmap:18 G729/8000", ""].join("\r\n");
    assert.equal((await send(invite(offer, "call-2"))).status, 488);
  });
});
