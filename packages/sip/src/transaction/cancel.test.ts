import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeClock } from "../clock.ts";
import { createResponse } from "../message/create-response.ts";
import { answerCancel } from "./answer-cancel.ts";
import { createCancel } from "./cancel-request.ts";
import type { InviteClientTransaction } from "./invite-client-transaction.ts";
import { RecordingTransport } from "./testing/recording-transport.ts";
import { RecordingUser } from "./testing/recording-user.ts";
import { sampleRequest, sampleResponse } from "./testing/sample-messages.ts";
import { TransactionLayer } from "./transaction-layer.ts";

function setUp() {
  const clock = new FakeClock();
  const user = new RecordingUser();
  const layer = new TransactionLayer({ clock, user });
  const transport = new RecordingTransport(clock, false);
  return { clock, user, layer, transport };
}

describe("building a CANCEL (RFC 3261 §9.1)", () => {
  test("when an INVITE is cancelled, then the CANCEL keeps Request-URI, Call-ID, To, From, CSeq number, the top Via and the Routes, and nothing else", () => {
    const invite = sampleRequest({
      uri: "sip:bob@biloxi.example.com;user=phone",
      toTag: "early",
      lowerVias: ["SIP/2.0/TCP client.example.com;branch=z9hG4bKlower"],
      routes: ["<sip:p1.example.com;lr>"],
      extra: ["Require: 100rel", "Proxy-Require: foo", "Supported: timer"],
      body: "v=0\r\n",
    });
    const cancel = createCancel(invite);
    assert.equal(cancel.method, "CANCEL");
    assert.equal(cancel.uriText, invite.uriText);
    assert.equal(cancel.headers.callId(), invite.headers.callId());
    assert.equal(cancel.headers.first("to"), invite.headers.first("to"));
    assert.equal(cancel.headers.first("from"), invite.headers.first("from"));
    assert.deepEqual(cancel.headers.cseq(), { seq: 314159, method: "CANCEL" });
    assert.equal(cancel.headers.via().length, 1);
    assert.equal(cancel.headers.via()[0]?.params.get("branch"), "z9hG4bKnashds8");
    assert.deepEqual(cancel.headers.getRaw("route"), ["<sip:p1.example.com;lr>"]);
    for (const absent of ["require", "proxy-require", "supported", "contact", "content-type"]) {
      assert.equal(cancel.headers.has(absent), false, absent);
    }
    assert.equal(cancel.body.length, 0);
  });
});

describe("cancelling an INVITE client transaction (RFC 3261 §9.1)", () => {
  test("when the TU cancels before any provisional response, then the CANCEL waits for the first one and goes over the same transport", () => {
    const { user, layer, transport } = setUp();
    const invite = sampleRequest();
    const inviteTx = layer.sendRequest(invite, transport, user) as InviteClientTransaction;
    const cancelUser = new RecordingUser();
    assert.equal(layer.cancel(inviteTx, cancelUser), "deferred");
    assert.equal(transport.requests("CANCEL").length, 0);
    layer.receiveResponse(sampleResponse(invite, 180));
    const [cancel] = transport.requests("CANCEL");
    assert.ok(cancel);
    assert.equal(cancel.headers.via()[0]?.params.get("branch"), "z9hG4bKnashds8");
    layer.receiveResponse(sampleResponse(cancel, 200));
    layer.receiveResponse(sampleResponse(invite, 487));
    assert.deepEqual(cancelUser.statuses(), [200]);
    assert.deepEqual(user.statuses(), [180, 487]);
    assert.equal(transport.requests("ACK").length, 1);
    layer.close();
  });

  test("when the TU cancels in Proceeding, then the CANCEL goes out at once, and only once however often it is asked", () => {
    const { user, layer, transport } = setUp();
    const invite = sampleRequest();
    const inviteTx = layer.sendRequest(invite, transport, user) as InviteClientTransaction;
    layer.receiveResponse(sampleResponse(invite, 183));
    assert.equal(layer.cancel(inviteTx, user), "sent");
    assert.equal(layer.cancel(inviteTx, user), "sent");
    assert.equal(transport.requests("CANCEL").length, 1);
    layer.close();
  });

  test("when the INVITE already has a final response, then no CANCEL is sent", () => {
    const { user, layer, transport } = setUp();
    const invite = sampleRequest();
    const inviteTx = layer.sendRequest(invite, transport, user) as InviteClientTransaction;
    layer.receiveResponse(sampleResponse(invite, 200));
    assert.equal(layer.cancel(inviteTx, user), "too-late");
    assert.equal(transport.requests("CANCEL").length, 0);
    layer.close();
  });

  test("when a final response beats the deferred CANCEL, then the CANCEL is never sent", () => {
    const { user, layer, transport } = setUp();
    const invite = sampleRequest();
    const inviteTx = layer.sendRequest(invite, transport, user) as InviteClientTransaction;
    layer.cancel(inviteTx, user);
    layer.receiveResponse(sampleResponse(invite, 486));
    assert.equal(transport.requests("CANCEL").length, 0);
    layer.close();
  });

  test("when no final response follows the CANCEL within 64*T1, then the INVITE transaction gives up with a 408", () => {
    const { clock, user, layer, transport } = setUp();
    const invite = sampleRequest();
    const inviteTx = layer.sendRequest(invite, transport, user) as InviteClientTransaction;
    clock.advance(1000);
    layer.receiveResponse(sampleResponse(invite, 180));
    clock.advance(60_000);
    layer.cancel(inviteTx, new RecordingUser());
    clock.advance(31_999);
    assert.equal(inviteTx.state, "proceeding");
    clock.advance(1);
    assert.equal(inviteTx.state, "terminated");
    assert.deepEqual(user.statuses(), [180, 408]);
    layer.close();
  });
});

describe("answering a CANCEL (RFC 3261 §9.2)", () => {
  test("when a CANCEL matches a ringing INVITE, then the CANCEL gets 200 and the INVITE 487, both with the To tag of the 180", () => {
    const { layer, transport, user } = setUp();
    const invite = sampleRequest();
    const inviteTx = layer.receiveRequest(invite, transport)!;
    inviteTx.respond(createResponse(invite, 180, undefined, { toTag: "ringing" }));
    const cancelTx = layer.receiveRequest(sampleRequest({ method: "CANCEL" }), transport)!;
    assert.equal(answerCancel(layer, cancelTx), inviteTx);
    const sent = transport
      .responses()
      .map((r) => `${r.status} ${r.headers.cseq().method} ${r.headers.to().params.get("tag")}`);
    assert.deepEqual(sent, ["180 INVITE ringing", "200 CANCEL ringing", "487 INVITE ringing"]);
    assert.equal(inviteTx.state, "completed");
    assert.equal(user.requests.length, 2);
    layer.close();
  });

  test("when a CANCEL matches an INVITE already answered, then only the CANCEL gets a 200", () => {
    const { layer, transport } = setUp();
    const invite = sampleRequest();
    const inviteTx = layer.receiveRequest(invite, transport)!;
    inviteTx.respond(createResponse(invite, 200, undefined, { toTag: "answered" }));
    const cancelTx = layer.receiveRequest(sampleRequest({ method: "CANCEL" }), transport)!;
    answerCancel(layer, cancelTx);
    assert.deepEqual(
      transport
        .responses()
        .map((r) => `${r.status} ${r.headers.cseq().method} ${r.headers.to().params.get("tag")}`),
      ["200 INVITE answered", "200 CANCEL answered"],
    );
    layer.close();
  });

  test("when a CANCEL matches no transaction, then it gets a 481", () => {
    const { layer, transport } = setUp();
    const cancelTx = layer.receiveRequest(sampleRequest({ method: "CANCEL" }), transport)!;
    assert.equal(answerCancel(layer, cancelTx), undefined);
    assert.deepEqual(
      transport.responses().map((r) => r.status),
      [481],
    );
    assert.equal(transport.responses()[0]?.headers.to().params.has("tag"), true);
    layer.close();
  });
});
