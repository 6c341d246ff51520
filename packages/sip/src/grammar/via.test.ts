import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SipParseError } from "./sip-parse-error.ts";
import { formatVia, parseVia } from "./via.ts";

describe("parseVia", () => {
  test("when a Via has host, port and parameters, then each is read", () => {
    assert.deepEqual(parseVia("SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bK77;rport;received=192.0.2.9"), {
      protocol: "SIP/2.0",
      transport: "UDP",
      host: "192.0.2.4",
      port: 5060,
      params: new Map<string, string | null>([
        ["branch", "z9hG4bK77"],
        ["rport", null],
        ["received", "192.0.2.9"],
      ]),
    });
  });

  test("when whitespace surrounds slashes, colon and semicolons, then the Via still reads the same", () => {
    const via = parseVia("sip / 2.0 / tcp  host.example.com : 5070 ; branch = z9hG4bKx");
    assert.equal(via.protocol, "SIP/2.0");
    assert.equal(via.transport, "TCP");
    assert.equal(via.host, "host.example.com");
    assert.equal(via.port, 5070);
    assert.equal(via.params.get("branch"), "z9hG4bKx");
  });

  test("when the sent-by is an IPv6 reference and received an IPv6 address, then both are read", () => {
    const via = parseVia("SIP/2.0/WSS [2001:db8::9]:443;received=2001:db8::7;branch=z9hG4bKa");
    assert.equal(via.host, "[2001:db8::9]");
    assert.equal(via.port, 443);
    assert.equal(via.params.get("received"), "2001:db8::7");
  });

  test("when a Via is malformed, then BAD_VIA is thrown", () => {
    for (const text of [
      "",
      "SIP/2.0",
      "SIP/2.0/UDP",
      "SIP/2.0/UDP ",
      "SIP/2.0/UDPhost",
      "SIP/2.0 UDP host",
      "SIP/2.0/UDP host:port",
      "SIP/2.0/UDP host:70000",
      "SIP/2.0/UDP host;",
      "SIP/2.0/UDP host;;branch=1",
      "SIP/2.0/UDP host;branch=",
      "SIP/2.0/UDP host branch=1",
    ]) {
      assert.throws(
        () => parseVia(text),
        (e: unknown) => e instanceof SipParseError && e.code === "BAD_VIA",
        text,
      );
    }
  });
});

describe("formatVia", () => {
  test("when a Via is formatted, then it parses back equal", () => {
    const via = parseVia("SIP/2.0/TLS [::1]:5061;branch=z9hG4bKq;rport=5061;alias");
    assert.equal(formatVia(via), "SIP/2.0/TLS [::1]:5061;branch=z9hG4bKq;rport=5061;alias");
    assert.deepEqual(parseVia(formatVia(via)), via);
  });
});
