import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatNameAddr, parseNameAddr } from "./name-addr.ts";
import { SipParseError } from "./sip-parse-error.ts";
import { parseUri } from "./uri.ts";

describe("parseNameAddr", () => {
  test("when the display name is quoted with escapes, then it is unquoted and unescaped", () => {
    const value = parseNameAddr('"Bell, \\"Alec\\" \\\\ A." <sip:a.g.bell@example.com>;tag=43');
    assert.equal(value.displayName, 'Bell, "Alec" \\ A.');
    assert.equal(value.params.get("tag"), "43");
  });

  test("when the display name is unquoted tokens, then it is kept as written", () => {
    assert.equal(parseNameAddr("A. G.  Bell <sip:bell@example.com>").displayName, "A. G.  Bell");
  });

  test("when there is no display name, then displayName is absent and an empty quoted one is empty", () => {
    assert.equal("displayName" in parseNameAddr("<sip:bell@example.com>"), false);
    assert.equal(parseNameAddr('"" <sip:bell@example.com>').displayName, "");
  });

  test("when the URI is not in angle brackets, then the parameters belong to the header", () => {
    const value = parseNameAddr("sip:bell@example.com;tag=1;transport=tcp");
    assert.deepEqual([...value.params.keys()], ["tag", "transport"]);
    assert.equal("params" in value.uri && value.uri.params.size, 0);
  });

  test("when the URI is in angle brackets, then its parameters stay in the URI", () => {
    const value = parseNameAddr(
      '<sip:bell@example.com;transport=tcp>;expires=60;+sip.instance="<urn:uuid:1>"',
    );
    assert.equal("params" in value.uri && value.uri.params.get("transport"), "tcp");
    assert.equal(value.params.get("expires"), "60");
    assert.equal(value.params.get("+sip.instance"), '"<urn:uuid:1>"');
  });

  test("when a name-addr is malformed, then BAD_NAME_ADDR is thrown", () => {
    for (const text of [
      "",
      '"Unterminated <sip:a@b>',
      "Bell, Alexander <sip:a@b>",
      "< sip:a@b >",
      "<sip:a@b",
      '"A" sip:a@b',
      "sip:a@b?subject=x",
      "<sip:a@b>;",
      "<sip:a@b>;;tag=1",
      "<sip:a@b>;tag=",
      "<sip:a@b> junk",
      "<not a uri>",
    ]) {
      assert.throws(
        () => parseNameAddr(text),
        (e: unknown) => e instanceof SipParseError && e.code === "BAD_NAME_ADDR",
        text,
      );
    }
  });
});

describe("formatNameAddr", () => {
  test("when a display name needs escaping, then it is quoted and parses back equal", () => {
    const value = {
      displayName: 'Bell "A" \\ G',
      uri: parseUri("sip:bell@example.com;transport=tcp"),
      params: new Map<string, string | null>([
        ["tag", "x1"],
        ["lr", null],
      ]),
    };
    const text = formatNameAddr(value);
    assert.equal(text, '"Bell \\"A\\" \\\\ G" <sip:bell@example.com;transport=tcp>;tag=x1;lr');
    assert.deepEqual(parseNameAddr(text), value);
  });

  test("when a display name holds a line break, then the output stays on one line", () => {
    const text = formatNameAddr({ displayName: "a\r\nb", uri: parseUri("sip:a@b"), params: new Map() });
    assert.equal(/[\r\n]/.test(text), false);
  });
});
