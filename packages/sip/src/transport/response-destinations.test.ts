import assert from "node:assert/strict";
import { test } from "node:test";
import type { Via } from "../message/types.ts";
import { rfc3261_18_2_2_responseDestinations } from "./response-destinations.ts";
import type { RemoteEndpoint } from "./transport.ts";
import { TransportError } from "./transport-error.ts";

function via(
  transport: string,
  host: string,
  port: number | undefined,
  params: Array<[string, string | null]>,
): Via {
  return { protocol: "SIP/2.0", transport, host, port, params: new Map(params) };
}

const tcpSource: RemoteEndpoint = { protocol: "tcp", address: "192.0.2.7", port: 51000, connectionId: "c1" };

test("when a TCP request's connection is known, then the response tries it first, then received:rport, then received:sent-by port", () => {
  const top = via("TCP", "10.0.0.5", 5060, [
    ["rport", "51000"],
    ["received", "192.0.2.7"],
  ]);
  assert.deepEqual(rfc3261_18_2_2_responseDestinations(top, tcpSource), [
    { protocol: "tcp", host: "192.0.2.7", port: 51000, connectionId: "c1", mayConnect: false },
    { protocol: "tcp", host: "192.0.2.7", port: 51000, mayConnect: false },
    { protocol: "tcp", host: "192.0.2.7", port: 5060, mayConnect: true },
  ]);
});

test("when a TLS Via has no port and no received, then a new connection goes to sent-by on port 5061", () => {
  assert.deepEqual(rfc3261_18_2_2_responseDestinations(via("TLS", "proxy.example.com", undefined, [])), [
    { protocol: "tls", host: "proxy.example.com", port: 5061, mayConnect: true },
  ]);
});

test("when a WebSocket connection is gone, then no destination may open a connection", () => {
  const source: RemoteEndpoint = { protocol: "ws", address: "192.0.2.7", port: 40000, connectionId: "w1" };
  const destinations = rfc3261_18_2_2_responseDestinations(
    via("WS", "df7jal23ls0d.invalid", undefined, [["received", "192.0.2.7"]]),
    source,
  );
  assert.equal(destinations[0]?.connectionId, "w1");
  assert.ok(destinations.every((d) => !d.mayConnect));
});

test("when a UDP Via has received and rport, then the response goes to received:rport", () => {
  const top = via("UDP", "10.0.0.5", 5060, [
    ["rport", "41234"],
    ["received", "192.0.2.7"],
  ]);
  assert.deepEqual(rfc3261_18_2_2_responseDestinations(top), [
    { protocol: "udp", host: "192.0.2.7", port: 41234, mayConnect: false },
  ]);
});

test("when a UDP Via has maddr, then maddr wins over received and rport, on the sent-by port", () => {
  const top = via("UDP", "10.0.0.5", 5070, [
    ["maddr", "239.255.255.1"],
    ["rport", "41234"],
    ["received", "192.0.2.7"],
  ]);
  assert.deepEqual(rfc3261_18_2_2_responseDestinations(top), [
    { protocol: "udp", host: "239.255.255.1", port: 5070, mayConnect: false },
  ]);
});

test("when a UDP Via has received but no rport, then the response goes to received on the sent-by port or 5060", () => {
  assert.equal(
    rfc3261_18_2_2_responseDestinations(via("UDP", "a.example", 5070, [["received", "192.0.2.7"]]))[0]?.port,
    5070,
  );
  assert.deepEqual(
    rfc3261_18_2_2_responseDestinations(via("UDP", "a.example", undefined, [["received", "192.0.2.7"]])),
    [{ protocol: "udp", host: "192.0.2.7", port: 5060, mayConnect: false }],
  );
});

test("when a UDP Via has neither received nor rport, then the response goes to sent-by", () => {
  assert.deepEqual(rfc3261_18_2_2_responseDestinations(via("udp", "[2001:db8::9]", 5080, [])), [
    { protocol: "udp", host: "2001:db8::9", port: 5080, mayConnect: false },
  ]);
});

test("when rport was never filled in, then it is ignored", () => {
  const top = via("UDP", "10.0.0.5", 5070, [
    ["rport", null],
    ["received", "192.0.2.7"],
  ]);
  assert.equal(rfc3261_18_2_2_responseDestinations(top)[0]?.port, 5070);
});

test("when the Via transport is SCTP, then there is no route", () => {
  assert.throws(
    () => rfc3261_18_2_2_responseDestinations(via("SCTP", "10.0.0.5", 5060, [])),
    (e) => e instanceof TransportError && e.code === "TRANSPORT.NO_ROUTE",
  );
});
