import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { SipParseError, type SipParseErrorCode } from "../grammar/sip-parse-error.ts";
import type { SipUri } from "../grammar/types.ts";
import { type CheckFailure, checkRequest, type RequestCheckOptions } from "./checks.ts";
import { parseMessage } from "./parse-message.ts";
import { serializeMessage } from "./serialize-message.ts";
import { messageSnapshot } from "./testing/message-snapshot.ts";
import type { NameAddr, SipMessage, SipRequest, SipResponse } from "./types.ts";

/**
 * The RFC 4475 torture messages, grouped as in packages/sip/testdata/rfc4475/README.md (copied from the RFC). Each
 * valid message must parse with the field values RFC 4475 §3.1.1 points out; each invalid one
 * must be refused with a specific parse error; each semantic case must get the response
 * RFC 4475 §3.2–§3.4 prescribes from `checkRequest`.
 */
const dir = new URL("../../testdata/rfc4475/", import.meta.url);
const load = (name: string): Uint8Array => readFileSync(new URL(`${name}.dat`, dir));
const parse = (name: string): SipMessage => parseMessage(load(name), { validate: true });
const request = (name: string): SipRequest => {
  const m = parse(name);
  assert.equal(m.kind, "request");
  return m as SipRequest;
};
const response = (name: string): SipResponse => {
  const m = parse(name);
  assert.equal(m.kind, "response");
  return m as SipResponse;
};
const sip = (a: NameAddr): SipUri => a.uri as SipUri;
const contacts = (m: SipMessage): NameAddr[] => {
  const c = m.headers.contact();
  assert.notEqual(c, "*");
  return c as NameAddr[];
};
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8");

/** §3.1.1: valid messages and what each must read as. */
const valid: Record<string, () => void> = {
  wsinv() {
    const m = request("wsinv");
    const h = m.headers;
    assert.equal(m.method, "INVITE");
    assert.equal((m.uri as SipUri).params.get("unknownparam"), null);
    assert.equal(h.from().displayName, 'J Rosenberg \\"');
    assert.equal(h.from().params.get("tag"), "98asjd8");
    assert.equal(sip(h.to()).user, "vivekg");
    assert.equal(h.to().params.get("tag"), "1918181833n");
    assert.equal(h.maxForwards(), 68);
    assert.deepEqual(h.cseq(), { seq: 9, method: "INVITE" });
    assert.equal(h.callId(), "wsinv.ndaksdj@192.0.2.1");
    assert.deepEqual(
      h.via().map((v) => [v.protocol, v.transport, v.host, v.params.get("branch")]),
      [
        ["SIP/2.0", "UDP", "192.0.2.2", "390skdjuw"],
        ["SIP/2.0", "TCP", "spindle.example.com", "z9hG4bK9ikj8"],
        ["SIP/2.0", "UDP", "192.168.255.111", "z9hG4bK30239"],
      ],
    );
    assert.equal(h.first("subject"), "");
    assert.equal(h.first("newfangledheader"), "newfangled value continued newfangled value");
    assert.equal(h.first("UnknownHeaderWithUnusualValue"), ";;,,;;,;");
    const route = h.route();
    assert.equal(route.length, 1);
    assert.equal(sip(route[0]!).host, "services.example.com");
    assert.equal(sip(route[0]!).params.get("unknownwith"), "value");
    assert.equal(sip(route[0]!).params.get("unknown-no-value"), null);
    const [contact] = contacts(m);
    assert.equal(contact?.displayName, 'Quoted string ""');
    assert.deepEqual(
      [...(contact?.params ?? [])],
      [
        ["newparam", "newvalue"],
        ["secondparam", null],
        ["q", "0.33"],
      ],
    );
    assert.equal(m.body.length, 150);
  },
  intmeth() {
    const m = request("intmeth");
    assert.equal(m.method, "!interesting-Method0123456789_*+`.%indeed'~");
    const uri = m.uri as SipUri;
    assert.equal(uri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    assert.equal(uri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    assert.equal(uri.host, "example.com");
    assert.equal(m.headers.via()[0]?.params.get("branch"), "z9hG4bK-.!%66*_+`'~");
    assert.equal(m.headers.to().displayName, "BEL:\x07 NUL:\x00 DEL:\x7f");
    assert.equal(sip(m.headers.to()).user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    assert.equal(m.headers.from().displayName, "token1~` token2'+_ token3*%!.-");
    assert.equal(m.headers.from().params.get("fromparam''~+*_!.-%"), '"работающий"');
    assert.equal(m.headers.from().params.get("tag"), "_token~1'+`*%!-.");
    assert.equal(m.headers.callId(), "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
    assert.equal(m.headers.cseq().method, m.method);
    assert.equal(m.headers.first("extensionHeader-!.%*+_`'~"), "\u{FEFF}大停電");
  },
  esc01() {
    const m = request("esc01");
    assert.equal((m.uri as SipUri).user, "sips:user@example.com");
    assert.equal((m.uri as SipUri).host, "example.net");
    assert.equal(sip(m.headers.to()).user, "user");
    assert.equal(sip(m.headers.from()).user, "I have spaces");
    const contact = contacts(m)[0]!;
    assert.equal(sip(contact).user, "caller");
    assert.deepEqual(
      [...sip(contact).params],
      [
        ["lr", null],
        ["name", "value%41"],
      ],
    );
    assert.equal(m.headers.first("content-type"), "application/sdp");
  },
  escnull() {
    const m = request("escnull");
    assert.equal(sip(m.headers.to()).user, "null-\x00-null");
    assert.equal(sip(m.headers.from()).user, "null-\x00-null");
    assert.deepEqual(
      contacts(m).map((c) => sip(c).user),
      ["\x00", "\x00\x00"],
    );
  },
  esc02() {
    const m = request("esc02");
    assert.equal(m.method, "RE%47IST%45R");
    assert.equal(m.headers.to().displayName, "%Z%45");
    assert.equal(m.headers.from().displayName, "%Z%45");
    assert.equal(m.headers.via()[0]?.params.get("branch"), "z9hG4bK209%fzsnel234");
    assert.deepEqual(
      contacts(m).map((c) => sip(c).host),
      ["host1.example.com", "host3.example.com"],
    );
    assert.equal(m.headers.first("C%6Fntact"), "<sip:alias2@host2.example.com>");
  },
  lwsdisp() {
    assert.equal(request("lwsdisp").headers.from().displayName, "caller");
  },
  longreq() {
    const m = request("longreq");
    const h = m.headers;
    const to = h.to();
    assert.equal(to.displayName, `I have a user name of ${"extreme".repeat(10)} proportion`);
    assert.equal(sip(to).port, 6000);
    assert.equal(sip(to).params.get("unknownparam1"), `very${"long".repeat(20)}value`);
    assert.equal(sip(to).params.get(`longparam${"name".repeat(25)}`), "shortvalue");
    assert.equal(sip(to).params.get(`very${"long".repeat(25)}parameternamewithnovalue`), null);
    const from = h.from();
    assert.equal(sip(from).user, "amazinglylongcallername".repeat(5));
    assert.equal(from.params.get("tag"), `12${"982".repeat(50)}424`);
    assert.equal(
      from.params.get(`unknownheaderparam${"name".repeat(20)}`),
      `unknowheaderparam${"value".repeat(15)}`,
    );
    assert.equal(from.params.get(`unknownvaluelessparamname${"paramname".repeat(9)}`), null);
    assert.equal(h.callId(), `longreq.one${"really".repeat(20)}longcallid`);
    const vias = h.via();
    assert.equal(vias.length, 34);
    assert.deepEqual(
      vias.slice(0, 33).map((v) => v.host),
      Array.from({ length: 33 }, (_, i) => `sip${33 - i}.example.com`),
    );
    assert.equal(vias[33]?.params.get("branch"), `very${"long".repeat(50)}branchvalue`);
    assert.equal(vias[33]?.params.get("received"), "192.0.2.5");
    assert.equal(sip(contacts(m)[0]!).user, "amazinglylongcallername".repeat(5));
    assert.equal(m.body.length, 150);
  },
  dblreq() {
    const m = request("dblreq");
    assert.equal(m.method, "REGISTER");
    assert.equal(m.body.length, 0);
    assert.equal(m.headers.callId(), "dblreq.0ha0isndaksdj99sdfafnl3lk233412");
  },
  semiuri() {
    const m = request("semiuri");
    const uri = m.uri as SipUri;
    assert.equal(uri.user, "user;par=u@example.net");
    assert.equal(uri.host, "example.com");
    assert.equal(uri.params.size, 0);
    assert.equal(m.headers.getList("accept").length, 6);
  },
  transports() {
    assert.deepEqual(
      request("transports")
        .headers.via()
        .map((v) => v.transport),
      ["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"],
    );
  },
  mpart01() {
    const m = request("mpart01");
    assert.equal(m.headers.contentLength(), 553);
    assert.equal(m.body.length, 553);
    assert.ok(text(m.body).startsWith("--7a9cbec02ceef655\r\n"));
    assert.equal(m.headers.first("content-type"), "multipart/mixed;boundary=7a9cbec02ceef655");
  },
  unreason() {
    const m = response("unreason");
    assert.equal(m.status, 200);
    assert.equal(m.reason, "= 2**3 * 5**2 но сто девяносто девять - простое");
    assert.equal(m.body.length, 154);
  },
  noreason() {
    const m = response("noreason");
    assert.equal(m.status, 100);
    assert.equal(m.reason, "");
  },
};

/** §3.1.2: invalid messages and the error each must be refused with. */
const invalid: Record<string, SipParseErrorCode> = {
  badinv01: "BAD_VIA",
  clerr: "CONTENT_LENGTH_MISMATCH",
  ncl: "BAD_CONTENT_LENGTH",
  scalar02: "BAD_CSEQ",
  scalarlg: "BAD_CSEQ",
  quotbal: "BAD_NAME_ADDR",
  ltgtruri: "BAD_URI",
  lwsruri: "BAD_START_LINE",
  lwsstart: "BAD_START_LINE",
  trws: "BAD_START_LINE",
  escruri: "BAD_URI",
  baddate: "BAD_DATE",
  regbadct: "BAD_NAME_ADDR",
  badaspec: "BAD_NAME_ADDR",
  baddn: "BAD_NAME_ADDR",
  badvers: "BAD_VERSION",
  mismatch01: "CSEQ_METHOD_MISMATCH",
  mismatch02: "CSEQ_METHOD_MISMATCH",
  bigcode: "BAD_STATUS",
};

interface SemanticCase {
  /** Field values the RFC points out, checked on the parsed message. */
  reads?: (m: SipMessage) => void;
  /** `checkRequest` options and the response it must choose (null: process the request). */
  checks?: Array<[RequestCheckOptions, CheckFailure | null]>;
  /** The parser itself refuses the message with this code. */
  refused?: SipParseErrorCode;
}

const uas: RequestCheckOptions = { role: "uas" };
const proxy: RequestCheckOptions = { role: "proxy" };

/** §3.2, §3.3 and §3.4: messages that parse, and what an element does with them. */
const semantic: Record<string, SemanticCase> = {
  badbranch: {
    reads: (m) => assert.equal(m.headers.via()[0]?.params.get("branch"), "z9hG4bK"),
    checks: [[uas, null]],
  },
  insuf: {
    reads: (m) => assert.equal(m.headers.has("call-id"), false),
    checks: [
      [uas, { status: 400, reason: "Missing Required Header Fields" }],
      [proxy, { status: 400, reason: "Missing Required Header Fields" }],
    ],
  },
  unkscm: {
    reads: (m) =>
      assert.deepEqual((m as SipRequest).uri, {
        scheme: "nobodyknowsthisscheme",
        other: true,
        text: "nobodyKnowsThisScheme:totallyopaquecontent",
      }),
    checks: [
      [uas, { status: 416, reason: "Unsupported URI Scheme" }],
      [proxy, { status: 416, reason: "Unsupported URI Scheme" }],
    ],
  },
  novelsc: {
    reads: (m) => assert.equal((m as SipRequest).uri.scheme, "soap.beep"),
    checks: [[uas, { status: 416, reason: "Unsupported URI Scheme" }]],
  },
  unksm2: {
    reads: (m) => {
      assert.equal(m.headers.to().uri.scheme, "isbn");
      assert.equal(m.headers.from().uri.scheme, "http");
      assert.equal(contacts(m)[0]?.uri.scheme, "name");
    },
    checks: [
      [
        { role: "uas", registrar: true },
        { status: 400, reason: "To Must Be a SIP or SIPS URI" },
      ],
      [proxy, null],
    ],
  },
  bext01: {
    checks: [
      [
        uas,
        {
          status: 420,
          reason: "Bad Extension",
          extraHeaders: [["Unsupported", "nothingSupportsThis, nothingSupportsThisEither"]],
        },
      ],
      [
        proxy,
        {
          status: 420,
          reason: "Bad Extension",
          extraHeaders: [["Unsupported", "noProxiesSupportThis, norDoAnyProxiesSupportThis"]],
        },
      ],
    ],
  },
  invut: {
    reads: (m) => assert.equal(m.headers.first("content-type"), "application/unknownformat"),
    checks: [
      [uas, { status: 415, reason: "Unsupported Media Type", extraHeaders: [["Accept", "application/sdp"]] }],
    ],
  },
  regaut01: {
    reads: (m) =>
      assert.deepEqual(m.headers.auth("authorization"), [
        { scheme: "NoOneKnowsThisScheme", params: new Map([["opaque-data", "here"]]) },
      ]),
    // The request is well formed; answering the unknown scheme with 401 is the registrar's.
    checks: [[{ role: "uas", registrar: true }, null]],
  },
  multi01: {
    checks: [[uas, { status: 400, reason: "Multiple Values in Single-Value Header" }]],
  },
  mcl01: { refused: "BAD_CONTENT_LENGTH" },
  bcast: {
    reads: (m) => assert.equal(m.headers.via()[1]?.host, "255.255.255.255"),
  },
  zeromf: {
    reads: (m) => assert.equal(m.headers.maxForwards(), 0),
    checks: [
      [proxy, { status: 483, reason: "Too Many Hops" }],
      [uas, null],
    ],
  },
  cparam01: {
    reads: (m) => {
      const contact = contacts(m)[0]!;
      assert.equal(contact.params.get("unknownparam"), null);
      assert.equal(sip(contact).params.has("unknownparam"), false);
    },
    checks: [[{ role: "uas", registrar: true }, null]],
  },
  cparam02: {
    reads: (m) => {
      const contact = contacts(m)[0]!;
      assert.equal(sip(contact).params.get("unknownparam"), null);
      assert.equal(contact.params.has("unknownparam"), false);
    },
    checks: [[{ role: "uas", registrar: true }, null]],
  },
  regescrt: {
    reads: (m) => assert.deepEqual([...sip(contacts(m)[0]!).headers], [["Route", "<sip:sip.example.com>"]]),
    checks: [[{ role: "uas", registrar: true }, null]],
  },
  sdp01: {
    reads: (m) => assert.equal(m.headers.first("accept"), "text/nobodyKnowsThis"),
    checks: [[uas, { status: 406, reason: "Not Acceptable" }]],
  },
  inv2543: {
    reads: (m) => {
      const h = m.headers;
      assert.equal(h.via()[0]?.params.has("branch"), false);
      assert.equal(h.from().params.has("tag"), false);
      assert.equal(h.contentLength(), undefined);
      assert.equal(h.maxForwards(), undefined);
      // Without angle brackets `;user=phone` is a header parameter (RFC 3261 §20.10).
      assert.equal(h.to().params.get("user"), "phone");
      assert.equal(
        text(m.body),
        "v=0\r\no=mhandley 29739 7272939 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\nm=audio 49217 RTP/AVP 0\r\n",
      );
    },
    checks: [[uas, null]],
  },
};

describe("RFC 4475 torture messages", () => {
  test("when the corpus is listed, then every message has exactly one expectation here", () => {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".dat"))
      .map((f) => f.slice(0, -4))
      .sort();
    const covered = [...Object.keys(valid), ...Object.keys(invalid), ...Object.keys(semantic)].sort();
    assert.deepEqual(covered, files);
  });

  describe("§3.1.1 valid messages", () => {
    for (const [name, expect] of Object.entries(valid)) {
      test(`when ${name} is parsed, then it reads as RFC 4475 describes`, expect);
      test(`when ${name} is serialized and parsed again, then nothing observable changes`, () => {
        const first = parse(name);
        assert.deepEqual(messageSnapshot(parseMessage(serializeMessage(first))), messageSnapshot(first));
      });
    }
  });

  describe("§3.1.2 invalid messages", () => {
    for (const [name, code] of Object.entries(invalid)) {
      test(`when ${name} is parsed, then it is refused with ${code}`, () => {
        assert.throws(
          () => parse(name),
          (e: unknown) =>
            e instanceof SipParseError &&
            e.code === code &&
            e.status === (code === "BAD_VERSION" ? 505 : 400),
        );
      });
    }
  });

  describe("§3.2–§3.4 semantics", () => {
    for (const [name, c] of Object.entries(semantic)) {
      if (c.refused) {
        test(`when ${name} is parsed, then it is refused with ${c.refused} (a 400)`, () => {
          assert.throws(
            () => parse(name),
            (e: unknown) => e instanceof SipParseError && e.code === c.refused && e.status === 400,
          );
        });
        continue;
      }
      if (c.reads)
        test(`when ${name} is parsed, then it reads as RFC 4475 describes`, () => c.reads?.(parse(name)));
      for (const [opts, expected] of c.checks ?? []) {
        test(`when a ${opts.registrar ? "registrar" : opts.role} checks ${name}, then the answer is ${expected?.status ?? "to process it"}`, () => {
          assert.deepEqual(checkRequest(request(name), opts), expected);
        });
      }
    }
  });
});
