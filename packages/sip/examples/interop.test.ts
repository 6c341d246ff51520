/**
 * SIPp drives the example registrar/UAS over UDP and TCP on loopback. A test fails when SIPp
 * exits with an error or counts a failed call.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { RegistrarUas } from "./registrar-uas.ts";
import { runSipp, type SippOptions, type SippResult } from "./sipp.ts";

const scenario = (name: string) => ({
  file: fileURLToPath(new URL(`./scenarios/${name}.xml`, import.meta.url)),
});

function assertCallsSucceeded(result: SippResult, calls = 1): void {
  const explain = `SIPp exit code ${result.exitCode}, ${result.failedCalls} failed call(s):\n${result.output}`;
  assert.equal(result.exitCode, 0, explain);
  assert.equal(result.failedCalls, 0, explain);
  assert.equal(result.successfulCalls, calls, explain);
}

for (const transport of ["udp", "tcp"] as const) {
  describe(`SIPp against the example registrar/UAS over ${transport}`, () => {
    let element: RegistrarUas;
    const sipp = (options: Pick<SippOptions, "scenario" | "calls">) =>
      runSipp({ ...options, transport, remote: element.endpoint });

    before(async () => {
      element = await RegistrarUas.start({
        transport,
        port: 0,
        users: { alice: "secret" },
        // SIPp 3.6.1 answers only the first challenge and knows only MD5; SHA-256 is still offered.
        algorithms: ["MD5", "SHA-256"],
      });
    });
    after(() => element.close());

    test("when SIPp sends OPTIONS, then it gets 200", async () => {
      assertCallsSucceeded(await sipp({ scenario: scenario("options") }));
    });

    test("when SIPp registers with the wrong password, then it is challenged with 401, then refused with 403, and nothing is bound", async () => {
      assertCallsSucceeded(await sipp({ scenario: scenario("register-wrong-password") }));
      assert.deepEqual(element.bindings.lookup("sip:alice@127.0.0.1"), []);
    });

    test("when SIPp registers, then it is challenged with 401, its digest answer is accepted with 200, and its contact is bound", async () => {
      assertCallsSucceeded(await sipp({ scenario: scenario("register-digest") }));
      const bindings = element.bindings.lookup("sip:alice@127.0.0.1");
      assert.equal(bindings.length, 1);
      assert.match(bindings[0]!.uri, /^sip:alice@127\.0\.0\.1:\d+;transport=/i);
    });

    test("when SIPp places calls with its built-in uac scenario, then INVITE, ACK and BYE complete for each", async () => {
      assertCallsSucceeded(await sipp({ scenario: { builtin: "uac" }, calls: 3 }), 3);
    });

    test("when SIPp sends methods the element does not serve, then it gets 405 for a known one and 501 for an unknown one", async () => {
      assertCallsSucceeded(await sipp({ scenario: scenario("unknown-methods") }));
    });
  });
}
