import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SipParseError } from "../grammar/sip-parse-error.ts";
import { Headers } from "./headers.ts";

const sample = (): Headers =>
  new Headers([
    ["Via", "SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com;branch=z9hG4bK2"],
    ["v", "SIP/2.0/UDP c.example.com;branch=z9hG4bK3"],
    ["From", "<sip:alice@example.com>;tag=1"],
    ["To", "<sip:bob@example.com>"],
    ["Route", "<sip:p1.example.com;lr>, <sip:p2.example.com;lr>"],
    ["X-Custom", "  kept   as   is  "],
  ]);

describe("Headers", () => {
  test("when headers are looked up by any case or compact form, then the same fields are found", () => {
    const h = sample();
    assert.deepEqual(h.getRaw("VIA"), h.getRaw("v"));
    assert.equal(h.count("via"), 2);
    assert.equal(h.has("x-custom"), true);
    assert.equal(h.first("x-custom"), "kept   as   is");
    assert.equal(h.first("contact"), undefined);
  });

  test("when a list header spans fields and commas, then getList and via() see every value in order", () => {
    const h = sample();
    assert.deepEqual(
      h.via().map((v) => v.host),
      ["a.example.com", "b.example.com", "c.example.com"],
    );
    assert.equal(h.getList("route").length, 2);
    assert.equal(h.topVia()?.params.get("branch"), "z9hG4bK1");
  });

  test("when a Via is prepended, then via() and topVia() show it first", () => {
    const h = sample();
    h.via();
    h.topVia();
    h.prepend("Via", "SIP/2.0/UDP proxy.example.com;branch=z9hG4bK0");
    assert.equal(h.via()[0]?.host, "proxy.example.com");
    assert.equal(h.topVia()?.host, "proxy.example.com");
    assert.equal(h.fields[0]?.name, "Via");
  });

  test("when the first value is removed, then only that value goes and the field keeps the rest", () => {
    const h = sample();
    h.removeFirstValue("via");
    assert.deepEqual(h.getRaw("via"), [
      "SIP/2.0/TCP b.example.com;branch=z9hG4bK2",
      "SIP/2.0/UDP c.example.com;branch=z9hG4bK3",
    ]);
    h.removeFirstValue("via");
    assert.deepEqual(h.getRaw("via"), ["SIP/2.0/UDP c.example.com;branch=z9hG4bK3"]);
    h.removeFirstValue("route");
    assert.deepEqual(
      h.route().map((r) => "host" in r.uri && r.uri.host),
      ["p2.example.com"],
    );
  });

  test("when the first value is replaced, then the others are untouched", () => {
    const h = sample();
    h.replaceFirstValue("via", "SIP/2.0/UDP a.example.com;branch=z9hG4bK1;received=192.0.2.1");
    assert.equal(h.via()[0]?.params.get("received"), "192.0.2.1");
    assert.equal(h.via().length, 3);
  });

  test("when a header is set, then all its fields become one at the position of the first", () => {
    const h = sample();
    h.set("VIA", "SIP/2.0/UDP only.example.com");
    assert.deepEqual(
      h.fields.map((f) => f.name),
      ["VIA", "From", "To", "Route", "X-Custom"],
    );
    assert.equal(h.via().length, 1);
    h.set("Contact", "<sip:new@example.com>");
    assert.equal(h.fields.at(-1)?.name, "Contact");
  });

  test("when a header is appended after its own kind, then it lands after the last field of that name", () => {
    const h = sample();
    h.append("Via", "SIP/2.0/UDP d.example.com", true);
    assert.deepEqual(
      h.fields.map((f) => f.name),
      ["Via", "v", "Via", "From", "To", "Route", "X-Custom"],
    );
  });

  test("when the To tag is added by set, then to() reads the new tag", () => {
    const h = sample();
    assert.equal(h.to().params.has("tag"), false);
    h.set("To", "<sip:bob@example.com>;tag=abc");
    assert.equal(h.to().params.get("tag"), "abc");
  });

  test("when a clone is changed, then the original is not", () => {
    const h = sample();
    const copy = h.clone();
    copy.remove("via");
    copy.append("X-New", "1");
    assert.equal(h.via().length, 3);
    assert.equal(h.has("x-new"), false);
  });

  test("when a value holds line breaks, then it is stored on one line", () => {
    const h = new Headers();
    h.append("Subject", "one\r\n two\r\nInjected: yes");
    assert.equal(h.first("subject"), "one two Injected: yes");
    assert.equal(h.has("injected"), false);
  });

  test("when a header name is not a token, then it is refused rather than written", () => {
    const h = new Headers();
    assert.throws(() => h.append("X-A: 1\r\nX-B", "2"), TypeError);
    assert.throws(() => h.set("", "2"), TypeError);
    assert.equal(h.size, 0);
  });

  test("when Contact is the REGISTER wildcard, then contact() is '*'", () => {
    assert.equal(new Headers([["m", "*"]]).contact(), "*");
    assert.deepEqual(new Headers().contact(), []);
  });

  test("when a typed header is malformed, then the error names the header it was read from", () => {
    const h = new Headers([["f", "Bell, A. <sip:bell@example.com>"]]);
    assert.throws(
      () => h.from(),
      (e: unknown) => e instanceof SipParseError && e.code === "BAD_NAME_ADDR" && e.header === "from",
    );
  });

  test("when a list header has an empty element, then reading it throws", () => {
    const h = new Headers([["Route", "<sip:a@b>, , <sip:c@d>"]]);
    assert.throws(
      () => h.route(),
      (e: unknown) => e instanceof SipParseError && e.code === "BAD_NAME_ADDR",
    );
  });

  test("when auth headers are present, then auth() parses every field by its name", () => {
    const h = new Headers([
      ["WWW-Authenticate", 'Digest realm="a", nonce="1", algorithm=SHA-256'],
      ["WWW-Authenticate", 'Digest realm="a", nonce="2", algorithm=MD5'],
      ["Proxy-Authorization", 'Digest username="u", realm="a"'],
    ]);
    assert.deepEqual(
      h.auth("www-authenticate").map((c) => c.params.get("algorithm")),
      ["SHA-256", "MD5"],
    );
    assert.equal(h.auth("proxy-authorization")[0]?.params.get("username"), "u");
    assert.deepEqual(h.auth("authorization"), []);
  });
});
