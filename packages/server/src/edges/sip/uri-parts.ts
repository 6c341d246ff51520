import type { SipUri, Uri } from "@zaqros/sip";

/** The URI as a sip:/sips: URI, or undefined for tel: and other schemes. */
export function asSipUri(uri: Uri): SipUri | undefined {
  return !("other" in uri) && (uri.scheme === "sip" || uri.scheme === "sips") ? (uri as SipUri) : undefined;
}

/** The user part of a sip: URI or the number of a tel: URI. */
export function userOf(uri: Uri): string | undefined {
  if ("other" in uri) return undefined;
  if (uri.scheme === "tel") return (uri as { number: string }).number;
  return (uri as SipUri).user;
}
