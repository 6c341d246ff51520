import assert from "node:assert/strict";
import { test } from "node:test";
import type { Via } from "../message/types.ts";
import { rfc3261_18_2_1_stampVia } from "./via-stamp.ts";

function via(host: string, params: Array<[string, string | null]>, port?: number): Via {
  return { protocol: "SIP/2.0", transport: "UDP", host, port, params: new Map(params) };
}

const source = { address: "192.0.2.7", port: 41234 };

test("when sent-by is the source address and there is no rport, then the Via is left alone", () => {
  const top = via("192.0.2.7", [["branch", "z9hG4bK1"]], 5060);
  const stamped = rfc3261_18_2_1_stampVia(top, source);
  assert.deepEqual([...stamped.params], [["branch", "z9hG4bK1"]]);
});

test("when sent-by is another address, then received holds the source address", () => {
  const stamped = rfc3261_18_2_1_stampVia(via("10.0.0.5", [["branch", "z9hG4bK1"]], 5060), source);
  assert.equal(stamped.params.get("received"), "192.0.2.7");
  assert.equal(stamped.params.has("rport"), false);
});

test("when sent-by is a domain name, then received is added even though it cannot be compared", () => {
  const stamped = rfc3261_18_2_1_stampVia(via("pc33.atlanta.com", [["branch", "z9hG4bK1"]]), source);
  assert.equal(stamped.params.get("received"), "192.0.2.7");
});

test("when rport is present without a value, then it gets the source port and received is added even for the same address", () => {
  const stamped = rfc3261_18_2_1_stampVia(
    via(
      "192.0.2.7",
      [
        ["rport", null],
        ["branch", "z9hG4bK1"],
      ],
      5060,
    ),
    source,
  );
  assert.equal(stamped.params.get("rport"), "41234");
  assert.equal(stamped.params.get("received"), "192.0.2.7");
});

test("when rport already has a value, then it is kept", () => {
  const stamped = rfc3261_18_2_1_stampVia(via("10.0.0.5", [["rport", "5070"]], 5060), source);
  assert.equal(stamped.params.get("rport"), "5070");
});

test("when sent-by is the same IPv6 address written differently, then no received is added", () => {
  const stamped = rfc3261_18_2_1_stampVia(via("[2001:DB8:0:0::1]", [["branch", "z9hG4bK1"]]), {
    address: "2001:db8::1",
    port: 5060,
  });
  assert.equal(stamped.params.has("received"), false);
});

test("when a Via is stamped, then the original Via object is not modified", () => {
  const top = via("10.0.0.5", [["rport", null]], 5060);
  rfc3261_18_2_1_stampVia(top, source);
  assert.equal(top.params.get("rport"), null);
  assert.equal(top.params.has("received"), false);
});
