import assert from "node:assert/strict";
import { test } from "node:test";
import { TransportError } from "./transport-error.ts";
import { rfc3261_18_1_1_checkUdpRequestSize } from "./udp-size-limit.ts";

const tooLarge = (e: unknown) => e instanceof TransportError && e.code === "TRANSPORT.MESSAGE_TOO_LARGE";

test("when the path MTU is unknown, then requests up to 1300 bytes pass and larger ones are refused", () => {
  rfc3261_18_1_1_checkUdpRequestSize(1300, undefined);
  assert.throws(() => rfc3261_18_1_1_checkUdpRequestSize(1301, undefined), tooLarge);
});

test("when the path MTU is known, then a request within 200 bytes of it is refused", () => {
  rfc3261_18_1_1_checkUdpRequestSize(8799, 9000);
  assert.throws(() => rfc3261_18_1_1_checkUdpRequestSize(8800, 9000), tooLarge);
  assert.throws(() => rfc3261_18_1_1_checkUdpRequestSize(1300, 1500), tooLarge);
});
