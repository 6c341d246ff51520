import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeClock } from "../clock.ts";
import { createResponse } from "../message/create-response.ts";
import { RecordingTransport } from "./testing/recording-transport.ts";
import { RecordingUser } from "./testing/recording-user.ts";
import { type SampleRequest, sampleRequest, sampleResponse } from "./testing/sample-messages.ts";
import { TransactionLayer } from "./transaction-layer.ts";

function setUp() {
  const clock = new FakeClock();
  const user = new RecordingUser();
  const layer = new TransactionLayer({ clock, user });
  const transport = new RecordingTransport(clock, false);
  return { clock, user, layer, transport };
}

describe("matching responses to client transactions (RFC 3261 §17.1.3)", () => {
  test("when a response carries a live branch but another CSeq method, then no transaction takes it and the core sees it as stray", () => {
    const { user, layer, transport } = setUp();
    const invite = sampleRequest();
    layer.sendRequest(invite, transport, user);
    const wrongMethod = sampleResponse(sampleRequest({ cseqMethod: "OPTIONS" }), 200);
    assert.equal(layer.receiveResponse(wrongMethod), false);
    assert.deepEqual(user.statuses(), []);
    assert.equal(user.strays.length, 1);
    layer.close();
  });

  test("when a response carries an unknown branch, then it is stray", () => {
    const { user, layer, transport } = setUp();
    layer.sendRequest(sampleRequest(), transport, user);
    assert.equal(
      layer.receiveResponse(sampleResponse(sampleRequest({ branch: "z9hG4bKother" }), 180)),
      false,
    );
    assert.equal(user.strays.length, 1);
    layer.close();
  });

  test("when the core has no stray handler, then a stray response is dropped quietly", () => {
    const clock = new FakeClock();
    const layer = new TransactionLayer({ clock, user: { onRequest() {}, onAck() {} } });
    assert.equal(layer.receiveResponse(sampleResponse(sampleRequest(), 200)), false);
  });

  test("when the branch of a response differs in letter case, then it is another branch (branches are echoed verbatim and compared as written)", () => {
    const { user, layer, transport } = setUp();
    layer.sendRequest(sampleRequest({ branch: "z9hG4bKAbC" }), transport, user);
    assert.equal(layer.receiveResponse(sampleResponse(sampleRequest({ branch: "z9hG4bKabc" }), 180)), false);
    assert.equal(layer.receiveResponse(sampleResponse(sampleRequest({ branch: "z9hG4bKAbC" }), 180)), true);
    assert.deepEqual(user.statuses(), [180]);
    layer.close();
  });
});

describe("sending requests through the layer", () => {
  test("when the TU sends an ACK through a client transaction, then the layer refuses (an ACK has none)", () => {
    const { user, layer, transport } = setUp();
    assert.throws(() => layer.sendRequest(sampleRequest({ method: "ACK" }), transport, user), TypeError);
  });

  test("when the top Via lacks the magic cookie, then the layer refuses to send", () => {
    const { user, layer, transport } = setUp();
    assert.throws(() => layer.sendRequest(sampleRequest({ branch: "1234" }), transport, user), TypeError);
    assert.throws(() => layer.sendRequest(sampleRequest({ branch: null }), transport, user), TypeError);
  });

  test("when a branch is reused while its transaction lives, then the layer refuses, and accepts it again once the transaction ended", () => {
    const { clock, user, layer } = setUp();
    const tcp = new RecordingTransport(clock, true);
    const options = sampleRequest({ method: "OPTIONS" });
    layer.sendRequest(options, tcp, user);
    assert.throws(() => layer.sendRequest(options, tcp, user), /already live/);
    layer.receiveResponse(sampleResponse(options, 200));
    assert.equal(layer.clientTransactionCount, 0);
    layer.sendRequest(options, tcp, user);
    assert.equal(layer.clientTransactionCount, 1);
    layer.close();
  });

  test("when the layer closes, then every transaction and timer is gone and nobody is told", () => {
    const { clock, user, layer, transport } = setUp();
    layer.sendRequest(sampleRequest(), transport, user);
    layer.sendRequest(sampleRequest({ method: "OPTIONS", branch: "z9hG4bKopt" }), transport, user);
    layer.receiveRequest(sampleRequest({ branch: "z9hG4bKin" }), transport);
    layer.receiveRequest(sampleRequest({ branch: null, callId: "legacy" }), transport);
    assert.equal(layer.serverTransactionCount, 2);
    layer.close();
    assert.equal(layer.clientTransactionCount, 0);
    assert.equal(layer.serverTransactionCount, 0);
    assert.equal(clock.pendingTimers, 0);
    assert.deepEqual(user.terminated, []);
  });
});

describe("matching requests to server transactions (RFC 3261 §17.2.3)", () => {
  test("when a request repeats a live branch from a different sent-by, then it is a new transaction, not a retransmission", () => {
    const { user, layer, transport } = setUp();
    const first = layer.receiveRequest(sampleRequest({ sentBy: "pc33.atlanta.example.com" }), transport);
    const second = layer.receiveRequest(sampleRequest({ sentBy: "evil.example.net" }), transport);
    assert.notEqual(first, second);
    assert.equal(user.requests.length, 2);
    assert.equal(layer.serverTransactionCount, 2);
    layer.close();
  });

  test("when a request repeats a live branch and sent-by with another port, then it is a new transaction", () => {
    const { user, layer, transport } = setUp();
    layer.receiveRequest(sampleRequest({ sentBy: "192.0.2.1:5060" }), transport);
    layer.receiveRequest(sampleRequest({ sentBy: "192.0.2.1:5070" }), transport);
    assert.equal(user.requests.length, 2);
    layer.close();
  });

  test("when the same branch and sent-by come with another method, then rule 3 keeps them apart", () => {
    const { user, layer, transport } = setUp();
    const invite = layer.receiveRequest(sampleRequest(), transport);
    const options = layer.receiveRequest(sampleRequest({ method: "OPTIONS" }), transport);
    assert.notEqual(invite, options);
    assert.equal(layer.findServerTransaction(sampleRequest()), invite);
    assert.equal(layer.findServerTransaction(sampleRequest({ method: "OPTIONS" })), options);
    assert.equal(layer.findServerTransaction(sampleRequest({ method: "ACK" })), invite);
    assert.equal(user.requests.length, 2);
    layer.close();
  });

  test("when an ACK carries a new branch (the ACK for a 2xx), then it goes to the core's onAck", () => {
    const { user, layer, transport } = setUp();
    const invite = sampleRequest();
    const tx = layer.receiveRequest(invite, transport)!;
    tx.respond(createResponse(invite, 200, undefined, { toTag: "t" }));
    assert.equal(
      layer.receiveRequest(sampleRequest({ method: "ACK", branch: "z9hG4bK2xxack", toTag: "t" }), transport),
      undefined,
    );
    assert.equal(user.acks.length, 1);
    assert.equal(user.acks[0]?.transport, transport);
    layer.close();
  });

  test("when a CANCEL shares the INVITE's branch, then it gets its own transaction and findCancelTarget finds the INVITE", () => {
    const { user, layer, transport } = setUp();
    const invite = layer.receiveRequest(sampleRequest(), transport);
    const cancel = sampleRequest({ method: "CANCEL" });
    const cancelTx = layer.receiveRequest(cancel, transport);
    assert.notEqual(cancelTx, invite);
    assert.equal(cancelTx?.method, "CANCEL");
    assert.equal(layer.findCancelTarget(cancel), invite);
    assert.equal(
      layer.receiveRequest(cancel, transport),
      cancelTx,
      "a retransmitted CANCEL matches its own transaction",
    );
    assert.equal(user.requests.length, 2);
    assert.equal(
      layer.findCancelTarget(sampleRequest({ method: "CANCEL", sentBy: "elsewhere.example.com" })),
      undefined,
    );
    layer.close();
  });

  test("when a transaction has terminated, then a request with its branch starts a new one", () => {
    const { clock, user, layer } = setUp();
    const tcp = new RecordingTransport(clock, true);
    const options = sampleRequest({ method: "OPTIONS" });
    layer.receiveRequest(options, tcp)!.respond(createResponse(options, 200));
    assert.equal(layer.serverTransactionCount, 0);
    layer.receiveRequest(options, tcp);
    assert.equal(user.requests.length, 2);
    layer.close();
  });
});

describe("RFC 2543 fallback matching (RFC 3261 §17.2.3, no magic cookie)", () => {
  const legacy = (options: SampleRequest = {}) => sampleRequest({ branch: null, ...options });

  const inviteCases: { name: string; retransmission: SampleRequest; matches: boolean }[] = [
    { name: "an identical INVITE", retransmission: {}, matches: true },
    {
      name: "an INVITE with a Request-URI equal by §19.1.4 (host case)",
      retransmission: { uri: "sip:bob@BILOXI.example.com" },
      matches: true,
    },
    {
      name: "an INVITE with another Request-URI",
      retransmission: { uri: "sip:carol@biloxi.example.com" },
      matches: false,
    },
    { name: "an INVITE with another From tag", retransmission: { fromTag: "other" }, matches: false },
    { name: "an INVITE with another Call-ID", retransmission: { callId: "other@atlanta" }, matches: false },
    { name: "an INVITE with another CSeq", retransmission: { cseq: 314160 }, matches: false },
    { name: "an INVITE with a To tag", retransmission: { toTag: "x" }, matches: false },
    {
      name: "an INVITE with another top Via",
      retransmission: { sentBy: "pc34.atlanta.example.com" },
      matches: false,
    },
    { name: "an INVITE whose branch lacks the cookie", retransmission: { branch: "1234" }, matches: false },
  ];
  for (const { name, retransmission, matches } of inviteCases) {
    test(`when ${name} follows an RFC 2543 INVITE, then it ${matches ? "is" : "is not"} a retransmission`, () => {
      const { user, layer, transport } = setUp();
      const first = layer.receiveRequest(legacy(), transport);
      const second = layer.receiveRequest(legacy(retransmission), transport);
      assert.equal(second === first, matches);
      assert.equal(user.requests.length, matches ? 1 : 2);
      layer.close();
    });
  }

  test("when an RFC 2543 ACK carries the To tag of the 486 sent, then the INVITE transaction absorbs it; with another To tag it goes to the core", () => {
    const { user, layer, transport } = setUp();
    const invite = legacy();
    const tx = layer.receiveRequest(invite, transport)!;
    tx.respond(createResponse(invite, 486, undefined, { toTag: "ours" }));
    layer.receiveRequest(legacy({ method: "ACK", toTag: "theirs" }), transport);
    assert.equal(user.acks.length, 1);
    assert.equal(tx.state, "completed");
    layer.receiveRequest(legacy({ method: "ACK", toTag: "ours" }), transport);
    assert.equal(user.acks.length, 1);
    assert.equal(tx.state, "confirmed");
    layer.close();
  });

  test("when an RFC 2543 ACK arrives before any final response, then it matches nothing", () => {
    const { user, layer, transport } = setUp();
    layer.receiveRequest(legacy(), transport);
    layer.receiveRequest(legacy({ method: "ACK", toTag: "ours" }), transport);
    assert.equal(user.acks.length, 1);
    layer.close();
  });

  test("when an RFC 2543 BYE is retransmitted, then it matches; a request with the same CSeq number and another method does not", () => {
    const { user, layer, transport } = setUp();
    const bye = legacy({ method: "BYE", toTag: "t" });
    const tx = layer.receiveRequest(bye, transport);
    assert.equal(layer.receiveRequest(bye, transport), tx);
    assert.notEqual(layer.receiveRequest(legacy({ method: "INFO", toTag: "t" }), transport), tx);
    assert.equal(user.requests.length, 2);
    layer.close();
  });

  test("when an RFC 2543 CANCEL arrives, then findCancelTarget finds its INVITE by Request-URI, tags, Call-ID, CSeq number and top Via", () => {
    const { layer, transport } = setUp();
    const invite = layer.receiveRequest(legacy(), transport);
    const cancel = legacy({ method: "CANCEL" });
    assert.equal(layer.findCancelTarget(cancel), invite);
    const cancelTx = layer.receiveRequest(cancel, transport);
    assert.equal(cancelTx?.method, "CANCEL");
    assert.equal(layer.findCancelTarget(cancel), invite, "the CANCEL's own transaction is never its target");
    assert.equal(layer.findCancelTarget(legacy({ method: "CANCEL", uri: "sip:x@y" })), undefined);
    layer.close();
  });
});
