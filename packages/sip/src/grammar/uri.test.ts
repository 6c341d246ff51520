import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SipParseError } from "./sip-parse-error.ts";
import { formatUri, parseUri } from "./uri.ts";

const rejects = (text: string) =>
  assert.throws(
    () => parseUri(text),
    (e: unknown) => e instanceof SipParseError && e.code === "BAD_URI",
    text,
  );

describe("parseUri", () => {
  test("when a SIP URI has every part, then each is read", () => {
    assert.deepEqual(
      parseUri("sips:alice:secret@Example.COM:5061;transport=tcp;lr?subject=hi%20there&priority=urgent"),
      {
        scheme: "sips",
        user: "alice",
        password: "secret",
        host: "Example.COM",
        port: 5061,
        params: new Map<string, string | null>([
          ["transport", "tcp"],
          ["lr", null],
        ]),
        headers: new Map([
          ["subject", "hi there"],
          ["priority", "urgent"],
        ]),
      },
    );
  });

  test("when the scheme and parameter names are in upper case, then they are lower-cased and values kept", () => {
    const uri = parseUri("SIP:bob@host;Transport=TCP;MADDR=10.0.0.1");
    assert.equal(uri.scheme, "sip");
    assert.deepEqual("params" in uri && [...uri.params], [
      ["transport", "TCP"],
      ["maddr", "10.0.0.1"],
    ]);
  });

  test("when the host is an IPv6 reference, then it keeps its brackets and the port is read", () => {
    const uri = parseUri("sip:[2001:db8::10]:5070;transport=udp");
    assert.equal("host" in uri && uri.host, "[2001:db8::10]");
    assert.equal("port" in uri && uri.port, 5070);
  });

  test("when a URI has no user part, then user is absent", () => {
    const uri = parseUri("sip:proxy.example.com;lr");
    assert.equal("user" in uri, false);
  });

  test("when escapes encode UTF-8, then the user reads as that text", () => {
    const uri = parseUri("sip:J%C3%B6rg%20M@example.com");
    assert.equal("user" in uri && uri.user, "Jörg M");
  });

  test("when a tel URI has parameters, then the number and parameters are read", () => {
    assert.deepEqual(parseUri("tel:+1-201-555-0123;ext=1234;phone-context=example.com"), {
      scheme: "tel",
      number: "+1-201-555-0123",
      params: new Map([
        ["ext", "1234"],
        ["phone-context", "example.com"],
      ]),
    });
  });

  test("when the scheme is neither sip, sips nor tel, then the URI is kept whole", () => {
    assert.deepEqual(parseUri("urn:service:sos"), { scheme: "urn", other: true, text: "urn:service:sos" });
    assert.deepEqual(parseUri("HTTP://www.example.com/a?b=c"), {
      scheme: "http",
      other: true,
      text: "HTTP://www.example.com/a?b=c",
    });
  });

  test("when a URI is malformed, then BAD_URI is thrown", () => {
    for (const text of [
      "",
      "alice@example.com",
      "sip:",
      "sip:@example.com",
      "sip:alice@",
      "sip:alice@example.com:",
      "sip:alice@example.com:65536",
      "sip:alice@example.com:99999999999",
      "sip:alice@[2001:db8::1",
      "sip:alice@[]",
      "sip:alice@[2001:zz::1]",
      "sip:al ice@example.com",
      "sip:alice@example.com;",
      "sip:alice@example.com;a=",
      "sip:alice@example.com?",
      "sip:alice@example.com?x",
      "sip:al%G1ce@example.com",
      "sip:al%ce@example.com",
      "sip:%FF@example.com",
      "sip:alice@example.com>",
      "sip:jörg@example.com",
      "tel:",
      "tel:+1 555",
      "1http:x",
      "mailto:",
      "news:a b",
    ]) {
      rejects(text);
    }
  });
});

describe("formatUri", () => {
  test("when a URI is formatted, then characters its grammar reserves are escaped and it parses back equal", () => {
    for (const text of [
      "sip:alice@example.com",
      "sips:a%20b:p%40ss@[::1]:5061;transport=tls;x=%3B?h=%26&k=v",
      "sip:user;par=u%40example.net@example.com",
      "sip:%00@host",
      "tel:+15551234567;phone-context=+1",
      "urn:service:sos",
    ]) {
      const uri = parseUri(text);
      assert.deepEqual(parseUri(formatUri(uri)), uri, text);
    }
  });

  test("when a user holds '@', ':' and spaces, then they are escaped", () => {
    assert.equal(
      formatUri({
        scheme: "sip",
        user: "a b@c:d",
        host: "example.com",
        params: new Map(),
        headers: new Map(),
      }),
      "sip:a%20b%40c%3Ad@example.com",
    );
  });
});
