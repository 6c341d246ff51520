import assert from "node:assert/strict";
import { test } from "node:test";
import { DomainError } from "../domain-error.ts";
import { dialledToE164 } from "./dial-plan.ts";

test("when digits are dialled in the forms people use, then each becomes the same E.164 number", () => {
  const cases: Array<[string, string, string]> = [
    ["+442079460958", "US", "+442079460958"],
    ["00442079460958", "DE", "+442079460958"],
    ["00442079460958", "US", "+442079460958"],
    ["011442079460958", "US", "+442079460958"],
    ["011442079460958", "CA", "+442079460958"],
    ["020 7946 0958", "GB", "+442079460958"],
    ["02079460958", "GB", "+442079460958"],
    ["(415) 555-0132", "US", "+14155550132"],
    ["4155550132", "US", "+14155550132"],
    ["030 1234567", "DE", "+49301234567"],
  ];
  for (const [dialled, country, expected] of cases) {
    assert.equal(dialledToE164(dialled, country), expected, `${dialled} from ${country}`);
  }
});

test("when the digits are no possible number, then ROUTING.INVALID_NUMBER", () => {
  for (const dialled of ["12", "abc", "+1", "0044", "+44 20 7946 0958 99999", "sip:evil", ""]) {
    assert.throws(
      () => dialledToE164(dialled, "GB"),
      (e: unknown) => e instanceof DomainError && e.code === "ROUTING.INVALID_NUMBER",
      dialled,
    );
  }
});

test("when the same digits are dialled again, then they read the same, and from another country as that country reads them", () => {
  for (let round = 0; round < 3; round++) {
    assert.equal(dialledToE164("020 7946 0958", "GB"), "+442079460958");
    assert.equal(dialledToE164("4155550132", "US"), "+14155550132");
    // The same national digits mean another number in another country: the country is part of the reading.
    assert.equal(dialledToE164("030 1234567", "DE"), "+49301234567");
    assert.equal(dialledToE164("030 1234567", "FR"), "+33301234567");
    assert.throws(() => dialledToE164("12", "GB"), DomainError);
  }
});
