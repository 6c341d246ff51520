import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatNameAddr } from "../grammar/name-addr.ts";
import { createResponse } from "../message/create-response.ts";
import type { SipResponse } from "../message/types.ts";
import { sampleRequest, sampleResponse } from "../transaction/testing/sample-messages.ts";
import { DialogTable } from "./dialog-table.ts";

const invite = sampleRequest();
const fromFork = (status: number, toTag: string, extra: [string, string][] = []): SipResponse =>
  sampleResponse(invite, status, { toTag, extra: [["Contact", `<sip:bob@${toTag}.example.com>`], ...extra] });

describe("the dialogs of a UAC's INVITE (RFC 3261 §12.1.2, §13.2.2)", () => {
  test("when a forked INVITE gets 180s from two UASs, then two early dialogs live side by side, keyed by remote tag", () => {
    const table = new DialogTable();
    const first = table.receiveUacResponse(invite, fromFork(180, "b1"));
    const second = table.receiveUacResponse(invite, fromFork(180, "b2"));
    assert.ok(first && second);
    assert.notEqual(first, second);
    assert.equal(table.size, 2);
    assert.equal(
      table.receiveUacResponse(invite, fromFork(183, "b1")),
      first,
      "a later 1xx on the same branch finds its dialog",
    );
    assert.equal(table.size, 2);
  });

  test("when one fork answers 200, then its early dialog is confirmed with the 2xx's route set, and the other stays early until 64*T1 ends it", () => {
    const table = new DialogTable();
    const loser = table.receiveUacResponse(invite, fromFork(180, "b1"))!;
    const winner = table.receiveUacResponse(
      invite,
      fromFork(180, "b2", [["Record-Route", "<sip:old.example.com;lr>"]]),
    )!;
    const confirmed = table.receiveUacResponse(
      invite,
      fromFork(200, "b2", [["Record-Route", "<sip:p.example.com;lr>"]]),
    );
    assert.equal(confirmed, winner);
    assert.equal(winner.state, "confirmed");
    assert.deepEqual(winner.routeSet.map(formatNameAddr), ["<sip:p.example.com;lr>"]);
    assert.equal(loser.state, "early");
    assert.deepEqual(table.terminateEarlyDialogs(invite), [loser]);
    assert.equal(loser.state, "terminated");
    assert.equal(table.size, 1);
  });

  test("when a 200 arrives without an early dialog, or is retransmitted, then one confirmed dialog exists", () => {
    const table = new DialogTable();
    const dialog = table.receiveUacResponse(invite, fromFork(200, "b1"));
    assert.equal(dialog?.state, "confirmed");
    assert.equal(table.receiveUacResponse(invite, fromFork(200, "b1")), dialog);
    assert.equal(table.size, 1);
  });

  test("when two forks both answer 200, then each 2xx makes its own confirmed dialog", () => {
    const table = new DialogTable();
    table.receiveUacResponse(invite, fromFork(200, "b1"));
    table.receiveUacResponse(invite, fromFork(200, "b2"));
    assert.equal(table.size, 2);
  });

  test("when a non-2xx final response arrives, then every early dialog of the INVITE ends", () => {
    const table = new DialogTable();
    const a = table.receiveUacResponse(invite, fromFork(180, "b1"))!;
    const b = table.receiveUacResponse(invite, fromFork(183, "b2"))!;
    assert.equal(table.receiveUacResponse(invite, fromFork(486, "b3")), undefined);
    assert.equal(a.state, "terminated");
    assert.equal(b.state, "terminated");
    assert.equal(table.size, 0);
  });

  const noDialog: { name: string; response: SipResponse; request?: typeof invite }[] = [
    { name: "a 100 Trying", response: sampleResponse(invite, 100) },
    {
      name: "a 180 without a To tag",
      response: (() => {
        const r = createResponse(invite, 180, undefined, {});
        r.headers.set("To", "Bob <sip:bob@biloxi.example.com>");
        return r;
      })(),
    },
    {
      name: "a 200 to an OPTIONS",
      response: sampleResponse(sampleRequest({ method: "OPTIONS" }), 200),
      request: sampleRequest({ method: "OPTIONS" }),
    },
  ];
  for (const { name, response, request } of noDialog) {
    test(`when ${name} arrives, then no dialog is created`, () => {
      const table = new DialogTable();
      assert.equal(table.receiveUacResponse(request ?? invite, response), undefined);
      assert.equal(table.size, 0);
    });
  }

  test("when a response to a request in the dialog arrives, then matchResponse finds the dialog", () => {
    const table = new DialogTable();
    const dialog = table.receiveUacResponse(invite, fromFork(200, "b1"))!;
    const bye = dialog.createBye();
    const ok = createResponse(bye, 200);
    assert.equal(table.matchResponse(ok), dialog);
  });
});

describe("the dialogs of a UAS (RFC 3261 §12.1.1, §12.2.2)", () => {
  test("when the UAS rings then answers, then one dialog goes from early to confirmed and in-dialog requests find it", () => {
    const table = new DialogTable();
    const ringing = createResponse(invite, 180, undefined, { toTag: "uas-tag" });
    const dialog = table.receiveUasResponse(invite, ringing);
    assert.equal(dialog?.state, "early");
    assert.equal(
      table.receiveUasResponse(invite, createResponse(invite, 200, undefined, { toTag: "uas-tag" })),
      dialog,
    );
    assert.equal(dialog?.state, "confirmed");
    const bye = sampleRequest({ method: "BYE", branch: "z9hG4bKbye", toTag: "uas-tag", cseq: 314160 });
    assert.equal(table.matchRequest(bye), dialog);
    assert.equal(table.matchRequest(sampleRequest({ method: "BYE", toTag: "unknown" })), undefined);
    assert.equal(
      table.matchRequest(sampleRequest({ method: "OPTIONS" })),
      undefined,
      "no To tag: not a mid-dialog request",
    );
  });

  test("when the UAS rejects after ringing, then the early dialog ends", () => {
    const table = new DialogTable();
    const dialog = table.receiveUasResponse(invite, createResponse(invite, 180, undefined, { toTag: "t" }))!;
    table.receiveUasResponse(invite, createResponse(invite, 486, undefined, { toTag: "t" }));
    assert.equal(dialog.state, "terminated");
    assert.equal(table.size, 0);
  });

  test("when a dialog is added twice or removed, then the table stays consistent", () => {
    const table = new DialogTable();
    const dialog = table.receiveUasResponse(invite, createResponse(invite, 200, undefined, { toTag: "t" }))!;
    assert.throws(() => table.add(dialog));
    table.remove(dialog);
    table.remove(dialog);
    assert.equal(table.size, 0);
    assert.equal(table.get(dialog.id), undefined);
  });
});
