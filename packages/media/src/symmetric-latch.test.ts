import assert from "node:assert/strict";
import { test } from "node:test";
import { SymmetricLatch } from "./symmetric-latch.ts";

const SDP = { address: "192.168.1.20", port: 4000 };
const NAT = { address: "198.51.100.7", port: 61000 };

test("when nothing has arrived yet, then packets for the phone go to its SDP address", () => {
  const latch = new SymmetricLatch(true, true);
  latch.advertise(SDP);
  assert.deepEqual(latch.destination, SDP);
  assert.equal(latch.latched, false);
});

test("when the first packet comes from elsewhere, then the latch moves there and refuses other sources", () => {
  const latch = new SymmetricLatch(true, true);
  latch.advertise(SDP);
  assert.equal(latch.admit(NAT.address, NAT.port), true);
  assert.deepEqual(latch.destination, NAT);
  assert.equal(latch.admit(SDP.address, SDP.port), false);
  assert.equal(latch.admit(NAT.address, NAT.port + 1), false);
  assert.deepEqual(latch.destination, NAT);
});

test("when strict source is off, then other sources are relayed but cannot move the latch", () => {
  const latch = new SymmetricLatch(true, false);
  latch.advertise(SDP);
  latch.admit(NAT.address, NAT.port);
  assert.equal(latch.admit("203.0.113.66", 5555), true);
  assert.deepEqual(latch.destination, NAT);
});

test("when a new SDP repeats the same address, then the latched destination is kept until the next packet re-latches", () => {
  const latch = new SymmetricLatch(true, true);
  latch.advertise(SDP);
  latch.admit(NAT.address, NAT.port);
  latch.advertise(SDP);
  assert.deepEqual(latch.destination, NAT);
  assert.equal(latch.admit(NAT.address, NAT.port + 2), true);
  assert.deepEqual(latch.destination, { address: NAT.address, port: NAT.port + 2 });
});

test("when a new SDP names another address, then packets go there until the phone sends again", () => {
  const latch = new SymmetricLatch(true, true);
  latch.advertise(SDP);
  latch.admit(NAT.address, NAT.port);
  latch.advertise({ address: "10.0.0.9", port: 7000 });
  assert.deepEqual(latch.destination, { address: "10.0.0.9", port: 7000 });
});

test("when the leg is asymmetric, then traffic never moves the destination", () => {
  const latch = new SymmetricLatch(false, true);
  latch.advertise(SDP);
  assert.equal(latch.admit(NAT.address, NAT.port), true);
  assert.deepEqual(latch.destination, SDP);
  assert.equal(latch.latched, false);
});
