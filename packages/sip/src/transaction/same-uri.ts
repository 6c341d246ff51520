import type { Params, Uri } from "../message/types.ts";

const strictUriParams = ["user", "ttl", "method", "maddr"] as const;

/**
 * URI equality by the rules of RFC 3261 §19.1.4, used where §17.2.3 compares Request-URIs.
 *
 * @remarks RFC 3261 §19.1.4: "Comparison of the userinfo of SIP and SIPS URIs is case-sensitive.
 * ... Comparison of all other components of the URI is case-insensitive unless explicitly
 * defined otherwise." / "A URI omitting any component with a default value will not match a URI
 * explicitly containing that component with its default value." / "Any uri-parameter appearing
 * in both URIs must match. A user, ttl, or method uri-parameter appearing in only one URI never
 * matches, even if it contains the default value. A URI that includes an maddr parameter will
 * not match a URI that contains no maddr parameter. All other uri-parameters appearing in only
 * one URI are ignored when comparing the URIs." / "URI header components are never ignored."
 */
export function sameUri(a: Uri, b: Uri): boolean {
  if (a.scheme.toLowerCase() !== b.scheme.toLowerCase()) return false;
  if ("other" in a || "other" in b) {
    return "other" in a && "other" in b && a.text === b.text;
  }
  if (a.scheme === "tel" || b.scheme === "tel") {
    return (
      a.scheme === "tel" &&
      b.scheme === "tel" &&
      a.number.replace(/[-.()]/g, "") === b.number.replace(/[-.()]/g, "") &&
      sameParams(a.params, b.params, true)
    );
  }
  if (a.user !== b.user || a.password !== b.password || a.port !== b.port) return false;
  if (a.host.toLowerCase() !== b.host.toLowerCase()) return false;
  for (const name of strictUriParams) {
    if (a.params.has(name) !== b.params.has(name)) return false;
  }
  if (!sameParams(a.params, b.params, false)) return false;
  if (a.headers.size !== b.headers.size) return false;
  for (const [name, value] of a.headers) {
    if (b.headers.get(name) !== value) return false;
  }
  return true;
}

/** Parameters present in both must match (case-insensitively); with `exact`, both must hold the same names. */
function sameParams(a: Params, b: Params, exact: boolean): boolean {
  if (exact && a.size !== b.size) return false;
  for (const [name, value] of a) {
    if (!b.has(name)) {
      if (exact) return false;
      continue;
    }
    const other = b.get(name);
    if (value === null || other === null || other === undefined) {
      if (value !== other) return false;
    } else if (value.toLowerCase() !== other.toLowerCase()) {
      return false;
    }
  }
  return true;
}
