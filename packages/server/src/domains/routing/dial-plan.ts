import { type CountryCode, getCountryCallingCode, parsePhoneNumberFromString } from "libphonenumber-js/max";
import { DomainError } from "../domain-error.ts";

/**
 * Turns what a customer dialled into E.164, reading it as the account's country would:
 * `+44…`, `0044…` (the common international prefix), `011 44…` in North America, or a national
 * number such as `020 7946 0958` in the UK. Throws ROUTING.INVALID_NUMBER when it is no possible number.
 */
export function dialledToE164(dialled: string, country: string): string {
  const key = `${country}|${dialled}`;
  const known = recent.get(key);
  if (known !== undefined) return known;
  const e164 = readDialled(dialled, country);
  if (recent.size >= RECENT_MAX) recent.clear();
  recent.set(key, e164);
  return e164;
}

/**
 * Numbers read recently, by country and digits as dialled: libphonenumber's metadata walk cost
 * about 3% of a call's CPU, and people (and the numbers behind a busy trunk) dial the same numbers
 * again and again. The reading depends on nothing else, so an entry never goes stale; the map is
 * emptied when full rather than kept in order of use. Refusals are not kept.
 */
const recent = new Map<string, string>();
const RECENT_MAX = 10_000;

function readDialled(dialled: string, country: string): string {
  const compact = dialled.replace(/[\s().-]/g, "");
  if (!/^\+?\d{2,20}$/.test(compact)) throw invalid(dialled);
  let international: string | undefined;
  if (compact.startsWith("+")) international = compact;
  else if (compact.startsWith("00")) international = `+${compact.slice(2)}`;
  else if (compact.startsWith("011") && getCountryCallingCode(country as CountryCode) === "1") {
    international = `+${compact.slice(3)}`;
  }
  const parsed = international
    ? parsePhoneNumberFromString(international)
    : parsePhoneNumberFromString(compact, country as CountryCode);
  if (!parsed?.isPossible()) throw invalid(dialled);
  return parsed.number;
}

function invalid(dialled: string) {
  return new DomainError(
    "ROUTING.INVALID_NUMBER",
    `${dialled.slice(0, 40)} is not a number that can be called.`,
  );
}
