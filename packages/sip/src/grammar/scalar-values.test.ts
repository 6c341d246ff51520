import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseCallId } from "./call-id.ts";
import { formatCSeq, parseCSeq } from "./cseq.ts";
import { parseContentLength, parseExpires, parseMaxForwards } from "./integer-value.ts";
import { SipParseError, type SipParseErrorCode } from "./sip-parse-error.ts";

const throwsCode = (f: () => unknown, code: SipParseErrorCode, label: string) =>
  assert.throws(f, (e: unknown) => e instanceof SipParseError && e.code === code, label);

describe("parseCSeq", () => {
  test("when the number has leading zeros and the method follows any whitespace, then both are read", () => {
    assert.deepEqual(parseCSeq(" 0009 \t INVITE "), { seq: 9, method: "INVITE" });
    assert.equal(formatCSeq({ seq: 2147483647, method: "BYE" }), "2147483647 BYE");
  });

  test("when the CSeq is malformed or 2**31 or more, then BAD_CSEQ is thrown", () => {
    for (const text of [
      "",
      "INVITE",
      "1",
      "1INVITE",
      "-1 INVITE",
      "2147483648 INVITE",
      "1 INVITE BYE",
      "1 INV<ITE",
    ]) {
      throwsCode(() => parseCSeq(text), "BAD_CSEQ", text);
    }
  });
});

describe("parseCallId", () => {
  test("when a Call-ID uses the word characters, then it is returned as written", () => {
    assert.equal(parseCallId(" a84b4c76e66710@pc33.atlanta.com "), "a84b4c76e66710@pc33.atlanta.com");
    assert.equal(parseCallId('x<>:"/[]?{}()\\!%'), 'x<>:"/[]?{}()\\!%');
  });

  test("when a Call-ID is empty, has spaces or a bad '@', then BAD_CALL_ID is thrown", () => {
    for (const text of ["", "a b", "@host", "id@", "a@b@c", "caf\u00e9"])
      throwsCode(() => parseCallId(text), "BAD_CALL_ID", text);
  });
});

describe("integer header values", () => {
  test("when values are in range, then they are read", () => {
    assert.equal(parseMaxForwards("0068"), 68);
    assert.equal(parseContentLength(" 150 "), 150);
    assert.equal(parseExpires("3600"), 3600);
  });

  test("when an Expires value is over 2**32-1, then it reads as 2**32-1", () => {
    assert.equal(parseExpires("1".repeat(100)), 4294967295);
  });

  test("when values are out of range or not numbers, then the header's code is thrown", () => {
    throwsCode(() => parseMaxForwards("256"), "BAD_MAX_FORWARDS", "256");
    throwsCode(() => parseMaxForwards("-1"), "BAD_MAX_FORWARDS", "-1");
    throwsCode(() => parseContentLength("12 34"), "BAD_CONTENT_LENGTH", "12 34");
    throwsCode(() => parseContentLength(""), "BAD_CONTENT_LENGTH", "empty");
    throwsCode(() => parseExpires("Thu, 01 Dec 1994 16:00:00 GMT"), "BAD_EXPIRES", "date");
  });
});
