import assert from "node:assert/strict";
import { test } from "node:test";
import { acceptUriOnOwnHosts } from "./accept-uri-on-own-hosts.ts";

test("when the uri is SIPp's sip:host:port of this server, then it is accepted", () => {
  const accept = acceptUriOnOwnHosts(["127.0.0.1:5060"]);
  assert.equal(accept("sip:127.0.0.1:5060"), true);
  assert.equal(accept("sip:127.0.0.1:5070"), false);
  assert.equal(accept("sip:127.0.0.2:5060"), false);
});

test("when an own host is listed without a port, then any port on that host is accepted", () => {
  const accept = acceptUriOnOwnHosts(["Registrar.Example.COM"]);
  assert.equal(accept("sip:registrar.example.com"), true);
  assert.equal(accept("sip:alice@registrar.example.com:5080;transport=tcp"), true);
  assert.equal(accept("SIPS:registrar.example.com?subject=x"), true);
  assert.equal(accept("sip:registrar.example.com.evil.net"), false);
});

test("when the uri has no port, then it stands for the default port of its scheme", () => {
  const accept = acceptUriOnOwnHosts(["example.com:5060", "secure.example.com:5061"]);
  assert.equal(accept("sip:example.com"), true);
  assert.equal(accept("sips:example.com"), false);
  assert.equal(accept("sips:secure.example.com"), true);
});

test("when IPv6 addresses are written differently, then they still compare equal", () => {
  const accept = acceptUriOnOwnHosts(["2001:db8::1", "[::1]:5060"]);
  assert.equal(accept("sip:[2001:DB8:0:0:0:0:0:1]:5060"), true);
  assert.equal(accept("sip:[::1]:5060"), true);
  assert.equal(accept("sip:[::1]:5062"), false);
});

test("when the uri is not a SIP URI or is malformed, then it is refused", () => {
  const accept = acceptUriOnOwnHosts(["example.com"]);
  for (const uri of [
    "tel:+15551234567",
    "http://example.com/",
    "sip:",
    "sip:example.com:99999",
    "sip:[::1",
    "sip:ex ample.com",
  ]) {
    assert.equal(accept(uri), false, uri);
  }
});

test("when a userinfo part holds an @-free password or user parameters, then the host after it is the one compared", () => {
  const accept = acceptUriOnOwnHosts(["example.com"]);
  assert.equal(accept("sip:alice:secret@example.com"), true);
  assert.equal(accept("sip:+1555;phone-context=example.org@example.com"), true);
  assert.equal(accept("sip:example.com@attacker.net"), false);
});

test("when an own-host entry is not a host, then building the acceptor throws a RangeError", () => {
  assert.throws(() => acceptUriOnOwnHosts(["sip:example.com"]), RangeError);
  assert.throws(() => acceptUriOnOwnHosts(["example.com:port"]), RangeError);
});
