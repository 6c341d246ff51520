import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatNameAddr } from "../grammar/name-addr.ts";
import { formatUri } from "../grammar/uri.ts";
import type { SipRequest, SipResponse } from "../message/types.ts";
import { parse } from "../transaction/testing/sample-messages.ts";
import { Dialog } from "./dialog.ts";

function request(lines: string[]): SipRequest {
  const message = parse([...lines, "Content-Length: 0", "", ""].join("\n"));
  assert.equal(message.kind, "request");
  return message as SipRequest;
}

function response(lines: string[]): SipResponse {
  const message = parse([...lines, "Content-Length: 0", "", ""].join("\n"));
  assert.equal(message.kind, "response");
  return message as SipResponse;
}

const invite = (extra: string[] = [], uri = "sip:bob@biloxi.example.com") =>
  request([
    `INVITE ${uri} SIP/2.0`,
    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8",
    "Max-Forwards: 70",
    "To: Bob <sip:bob@biloxi.example.com>",
    "From: Alice <sip:alice@atlanta.example.com>;tag=a1",
    "Call-ID: call-1@atlanta.example.com",
    "CSeq: 101 INVITE",
    "Contact: <sip:alice@pc33.atlanta.example.com>",
    'Authorization: Digest username="alice", realm="atlanta.example.com", nonce="n", uri="sip:bob@biloxi.example.com", response="r"',
    ...extra,
  ]);

const answer = (status: number, toTag: string, extra: string[] = []) =>
  response([
    `SIP/2.0 ${status} ${status === 200 ? "OK" : "Ringing"}`,
    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8",
    `To: Bob <sip:bob@biloxi.example.com>;tag=${toTag}`,
    "From: Alice <sip:alice@atlanta.example.com>;tag=a1",
    "Call-ID: call-1@atlanta.example.com",
    "CSeq: 101 INVITE",
    ...extra,
  ]);

/** A request Bob sends Alice inside the dialog. */
const fromBob = (method: string, seq: number, extra: string[] = []) =>
  request([
    `${method} sip:alice@pc33.atlanta.example.com SIP/2.0`,
    `Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKbob${seq}`,
    "Max-Forwards: 70",
    "To: Alice <sip:alice@atlanta.example.com>;tag=a1",
    "From: Bob <sip:bob@biloxi.example.com>;tag=b1",
    "Call-ID: call-1@atlanta.example.com",
    `CSeq: ${seq} ${method}`,
    ...extra,
  ]);

const uacDialog = (responseExtra: string[] = ["Contact: <sip:bob@192.0.2.4>"]) =>
  Dialog.createUac(invite(), answer(200, "b1", responseExtra));

describe("creating dialogs (RFC 3261 §12.1)", () => {
  test("when a UAC gets a 200 with Record-Route, then the dialog holds the reversed route set, the Contact as remote target and the INVITE's CSeq as local sequence", () => {
    const dialog = uacDialog([
      "Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr;ftag=x>",
      "Record-Route: <sip:p3.example.com;lr>",
      "Contact: <sip:bob@192.0.2.4;transport=tcp>",
    ]);
    assert.equal(dialog.role, "uac");
    assert.equal(dialog.state, "confirmed");
    assert.deepEqual(dialog.id, { callId: "call-1@atlanta.example.com", localTag: "a1", remoteTag: "b1" });
    assert.deepEqual(dialog.routeSet.map(formatNameAddr), [
      "<sip:p3.example.com;lr>",
      "<sip:p2.example.com;lr;ftag=x>",
      "<sip:p1.example.com;lr>",
    ]);
    assert.equal(formatUri(dialog.remoteTarget), "sip:bob@192.0.2.4;transport=tcp");
    assert.equal(dialog.localSeq, 101);
    assert.equal(dialog.remoteSeq, undefined);
    assert.equal(dialog.secure, false);
    assert.equal(formatUri(dialog.localAddress.uri), "sip:alice@atlanta.example.com");
    assert.equal(dialog.localAddress.params.has("tag"), false);
  });

  test("when a UAC gets a 180 with a To tag, then the dialog is early", () => {
    assert.equal(Dialog.createUac(invite(), answer(180, "b1")).state, "early");
  });

  test("when the INVITE went to a SIPS URI, then the dialog is secure", () => {
    const dialog = Dialog.createUac(invite([], "sips:bob@biloxi.example.com"), answer(200, "b1"));
    assert.equal(dialog.secure, true);
  });

  test("when a UAS answers 180 with a To tag, then the dialog keeps the request's Record-Route in order, its Contact and its CSeq as remote sequence", () => {
    const dialog = Dialog.createUas(
      invite(["Record-Route: <sip:p1.example.com;lr>", "Record-Route: <sip:p2.example.com;lr>"]),
      answer(180, "b1", ["Contact: <sip:bob@192.0.2.4>"]),
    );
    assert.equal(dialog.role, "uas");
    assert.equal(dialog.state, "early");
    assert.deepEqual(dialog.id, { callId: "call-1@atlanta.example.com", localTag: "b1", remoteTag: "a1" });
    assert.deepEqual(dialog.routeSet.map(formatNameAddr), [
      "<sip:p1.example.com;lr>",
      "<sip:p2.example.com;lr>",
    ]);
    assert.equal(formatUri(dialog.remoteTarget), "sip:alice@pc33.atlanta.example.com");
    assert.equal(dialog.remoteSeq, 101);
    assert.equal(dialog.localSeq, undefined);
    assert.equal(formatUri(dialog.localContact!.uri), "sip:bob@192.0.2.4");
  });

  test("when a UAS response has no To tag, then no dialog can be made", () => {
    const noTag = response([
      "SIP/2.0 200 OK",
      "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8",
      "To: Bob <sip:bob@biloxi.example.com>",
      "From: Alice <sip:alice@atlanta.example.com>;tag=a1",
      "Call-ID: call-1@atlanta.example.com",
      "CSeq: 101 INVITE",
    ]);
    assert.throws(() => Dialog.createUas(invite(), noTag), TypeError);
  });

  test("when a UAC's early dialog is confirmed by a 2xx, then the route set and remote target are taken again from the 2xx", () => {
    const dialog = Dialog.createUac(
      invite(),
      answer(180, "b1", ["Record-Route: <sip:old.example.com;lr>", "Contact: <sip:bob@10.0.0.1>"]),
    );
    dialog.confirm(
      answer(200, "b1", ["Record-Route: <sip:new.example.com;lr>", "Contact: <sip:bob@192.0.2.4>"]),
    );
    assert.equal(dialog.state, "confirmed");
    assert.deepEqual(dialog.routeSet.map(formatNameAddr), ["<sip:new.example.com;lr>"]);
    assert.equal(formatUri(dialog.remoteTarget), "sip:bob@192.0.2.4");
  });
});

describe("requests inside a dialog (RFC 3261 §12.2.1.1)", () => {
  test("when the route set is empty, then the Request-URI is the remote target and there is no Route", () => {
    const bye = uacDialog().createBye();
    assert.equal(bye.uriText, "sip:bob@192.0.2.4");
    assert.equal(bye.headers.has("route"), false);
  });

  test("when the first route is a loose router, then the Request-URI is the remote target and the Route lists the whole route set", () => {
    const dialog = uacDialog([
      "Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>",
      "Contact: <sip:bob@192.0.2.4>",
    ]);
    const bye = dialog.createBye();
    assert.equal(bye.uriText, "sip:bob@192.0.2.4");
    assert.deepEqual(bye.headers.getRaw("route"), ["<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"]);
  });

  test("when the first route is a strict router, then it becomes the Request-URI and the remote target goes last in the Route (the §12.2.1.1 example)", () => {
    const dialog = Dialog.createUas(
      request([
        "INVITE sip:bob@biloxi.example.com SIP/2.0",
        "Via: SIP/2.0/UDP remoteua;branch=z9hG4bKx",
        "Max-Forwards: 70",
        "To: <sip:bob@biloxi.example.com>",
        "From: <sip:user@remoteua>;tag=r",
        "Call-ID: c",
        "CSeq: 1 INVITE",
        "Contact: <sip:user@remoteua>",
        "Record-Route: <sip:proxy1>,<sip:proxy2>,<sip:proxy3;lr>,<sip:proxy4>",
      ]),
      response([
        "SIP/2.0 200 OK",
        "Via: SIP/2.0/UDP remoteua;branch=z9hG4bKx",
        "To: <sip:bob@biloxi.example.com>;tag=l",
        "From: <sip:user@remoteua>;tag=r",
        "Call-ID: c",
        "CSeq: 1 INVITE",
      ]),
    );
    const info = dialog.createRequest("INFO");
    assert.equal(info.uriText, "sip:proxy1");
    assert.deepEqual(info.headers.getRaw("route"), [
      "<sip:proxy2>",
      "<sip:proxy3;lr>",
      "<sip:proxy4>",
      "<sip:user@remoteua>",
    ]);
  });

  test("when a strict router's URI carries a method parameter or headers, then they are stripped from the Request-URI", () => {
    const dialog = uacDialog([
      "Record-Route: <sip:proxy1;transport=tcp;method=INVITE?x=y>",
      "Contact: <sip:bob@192.0.2.4>",
    ]);
    assert.equal(dialog.createBye().uriText, "sip:proxy1;transport=tcp");
  });

  test("when a UAC sends in the dialog, then To, From, Call-ID and CSeq follow the dialog state and CSeq counts up by one", () => {
    const dialog = uacDialog();
    const bye = dialog.createBye({ via: { transport: "UDP", host: "pc33.atlanta.example.com", port: 5060 } });
    const to = bye.headers.to();
    const from = bye.headers.from();
    assert.equal(formatUri(to.uri), "sip:bob@biloxi.example.com");
    assert.equal(to.displayName, "Bob");
    assert.equal(to.params.get("tag"), "b1");
    assert.equal(formatUri(from.uri), "sip:alice@atlanta.example.com");
    assert.equal(from.params.get("tag"), "a1");
    assert.equal(bye.headers.callId(), "call-1@atlanta.example.com");
    assert.deepEqual(bye.headers.cseq(), { seq: 102, method: "BYE" });
    assert.equal(bye.headers.maxForwards(), 70);
    const via = bye.headers.via()[0]!;
    assert.equal(via.transport, "UDP");
    assert.equal(via.port, 5060);
    assert.match(String(via.params.get("branch")), /^z9hG4bK/);
    assert.equal(bye.headers.has("contact"), false, "BYE is no target refresh request");
    assert.deepEqual(dialog.createRequest("INFO").headers.cseq(), { seq: 103, method: "INFO" });
    assert.equal(dialog.localSeq, 103);
  });

  test("when a UAS sends its first request, then it picks an initial CSeq below 2^31 and counts up from it", () => {
    const dialog = Dialog.createUas(invite(), answer(200, "b1"));
    const first = dialog.createBye().headers.cseq().seq;
    assert.ok(first >= 1 && first < 2 ** 31);
    assert.equal(dialog.createRequest("INFO").headers.cseq().seq, first + 1);
  });

  test("when a re-INVITE or UPDATE is built, then it carries the local Contact (target refresh)", () => {
    const dialog = uacDialog();
    assert.equal(dialog.createReInvite().headers.first("contact"), "<sip:alice@pc33.atlanta.example.com>");
    assert.equal(dialog.createUpdate().headers.first("contact"), "<sip:alice@pc33.atlanta.example.com>");
    assert.deepEqual(
      dialog.createReInvite({ body: "v=0\r\n", contentType: "application/sdp" }).headers.cseq(),
      {
        seq: 104,
        method: "INVITE",
      },
    );
  });

  test("when the ACK for a 2xx is built, then it takes the INVITE's CSeq number and credentials and leaves the local sequence alone", () => {
    const dialog = uacDialog(["Record-Route: <sip:p1.example.com;lr>", "Contact: <sip:bob@192.0.2.4>"]);
    const ack = dialog.createAck(invite(), { body: "v=0\r\n", contentType: "application/sdp" });
    assert.equal(ack.method, "ACK");
    assert.equal(ack.uriText, "sip:bob@192.0.2.4");
    assert.deepEqual(ack.headers.cseq(), { seq: 101, method: "ACK" });
    assert.deepEqual(ack.headers.getRaw("route"), ["<sip:p1.example.com;lr>"]);
    assert.equal(ack.headers.getRaw("authorization").length, 1);
    assert.equal(ack.headers.to().params.get("tag"), "b1");
    assert.equal(ack.body.length, 5);
    assert.equal(dialog.localSeq, 101);
  });

  test("when ACK or CANCEL is asked of createRequest, or the dialog is terminated, then it refuses", () => {
    const dialog = uacDialog();
    assert.throws(() => dialog.createRequest("ACK"), TypeError);
    assert.throws(() => dialog.createRequest("CANCEL"), TypeError);
    assert.throws(() => dialog.createAck(fromBob("BYE", 1)), TypeError);
    dialog.terminate();
    assert.throws(() => dialog.createBye());
  });
});

describe("requests the peer sends in the dialog (RFC 3261 §12.2.2)", () => {
  const cases: { name: string; seqs: number[]; outcome: (number | undefined)[]; remoteSeq: number }[] = [
    {
      name: "increasing numbers, gaps included, are accepted",
      seqs: [102, 103, 200],
      outcome: [undefined, undefined, undefined],
      remoteSeq: 200,
    },
    {
      name: "a lower number gets a 500 and changes nothing",
      seqs: [102, 101],
      outcome: [undefined, 500],
      remoteSeq: 102,
    },
    { name: "a repeated number gets a 500", seqs: [102, 102], outcome: [undefined, 500], remoteSeq: 102 },
  ];
  for (const { name, seqs, outcome, remoteSeq } of cases) {
    test(`when a UAS dialog (remote CSeq 101) sees ${seqs.join(", ")}, then ${name}`, () => {
      const dialog = Dialog.createUas(invite(), answer(200, "b1"));
      const results = seqs.map((seq) => dialog.receiveRequest(fromBob("INFO", seq))?.status);
      assert.deepEqual(results, outcome);
      assert.equal(dialog.remoteSeq, remoteSeq);
    });
  }

  test("when a UAC dialog with an empty remote sequence gets its first request, then any number is taken", () => {
    const dialog = uacDialog();
    assert.equal(dialog.receiveRequest(fromBob("BYE", 7)), undefined);
    assert.equal(dialog.remoteSeq, 7);
  });

  test("when ACK or CANCEL arrive with an old number, then they are not checked", () => {
    const dialog = Dialog.createUas(invite(), answer(200, "b1"));
    dialog.receiveRequest(fromBob("INFO", 150));
    assert.equal(dialog.receiveRequest(fromBob("ACK", 101)), undefined);
    assert.equal(dialog.remoteSeq, 150);
  });

  test("when a re-INVITE or UPDATE carries a Contact, then the remote target follows it; a BYE's Contact or a refused re-INVITE changes nothing", () => {
    const dialog = uacDialog();
    dialog.receiveRequest(fromBob("BYE", 5, ["Contact: <sip:bob@198.51.100.1>"]));
    assert.equal(formatUri(dialog.remoteTarget), "sip:bob@192.0.2.4");
    dialog.receiveRequest(fromBob("INVITE", 6, ["Contact: <sip:bob@198.51.100.2>"]));
    assert.equal(formatUri(dialog.remoteTarget), "sip:bob@198.51.100.2");
    dialog.receiveRequest(fromBob("UPDATE", 7, ["Contact: <sip:bob@198.51.100.3>"]));
    assert.equal(formatUri(dialog.remoteTarget), "sip:bob@198.51.100.3");
    assert.equal(
      dialog.receiveRequest(fromBob("INVITE", 3, ["Contact: <sip:bob@198.51.100.4>"]))?.status,
      500,
    );
    assert.equal(formatUri(dialog.remoteTarget), "sip:bob@198.51.100.3");
  });
});

describe("responses to requests sent in the dialog (RFC 3261 §12.2.1.2)", () => {
  const reply = (request: SipRequest, status: number, extra: string[] = []) =>
    response([
      `SIP/2.0 ${status} X`,
      "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKr",
      "To: Bob <sip:bob@biloxi.example.com>;tag=b1",
      "From: Alice <sip:alice@atlanta.example.com>;tag=a1",
      "Call-ID: call-1@atlanta.example.com",
      `CSeq: ${request.headers.cseq().seq} ${request.method}`,
      ...extra,
    ]);

  test("when a 2xx to a re-INVITE carries a Contact, then the remote target follows it; a 2xx to INFO does not move it", () => {
    const dialog = uacDialog();
    const info = dialog.createRequest("INFO");
    assert.equal(dialog.receiveResponse(info, reply(info, 200, ["Contact: <sip:bob@203.0.113.9>"])), false);
    assert.equal(formatUri(dialog.remoteTarget), "sip:bob@192.0.2.4");
    const reInvite = dialog.createReInvite();
    dialog.receiveResponse(reInvite, reply(reInvite, 200, ["Contact: <sip:bob@203.0.113.9>"]));
    assert.equal(formatUri(dialog.remoteTarget), "sip:bob@203.0.113.9");
  });

  test("when a request in the dialog gets a 481 or 408, then the UAC is told to end the dialog", () => {
    const dialog = uacDialog();
    const info = dialog.createRequest("INFO");
    assert.equal(dialog.receiveResponse(info, reply(info, 481)), true);
    assert.equal(dialog.receiveResponse(info, reply(info, 408)), true);
    assert.equal(dialog.receiveResponse(info, reply(info, 488)), false);
  });
});
