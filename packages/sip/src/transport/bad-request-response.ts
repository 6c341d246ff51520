import { randomBytes } from "node:crypto";

const REQUEST_LINE = /^[A-Za-z0-9.!%*_+`'~-]+ [^ ]+ SIP\/[^ ]+$/;
/** Headers a response copies from its request (RFC 3261 §8.2.6.2), with their compact forms. */
const COPIED: ReadonlyArray<readonly [string, string | undefined]> = [
  ["via", "v"],
  ["from", "f"],
  ["to", "t"],
  ["call-id", "i"],
  ["cseq", undefined],
];
/** How much of a message is read looking for the headers to copy. */
const MAX_SCANNED = 65_536;

/**
 * The bytes of a stateless error response to a request the parser rejected, or undefined
 * when no response can be formed: the bytes do not start with a request line, the request is
 * an ACK, or one of the headers a response must copy is missing or unreadable.
 *
 * The header values are copied byte for byte (read as Latin-1 and written back as Latin-1)
 * without being parsed: the parser already refused this message, and the peer needs exactly
 * these values to match the response to its transaction.
 *
 * @remarks RFC 3261 §8.2.6.2: "the From field of the response MUST equal the From header
 * field of the request. The Call-ID header field of the response MUST equal the Call-ID
 * header field of the request. The CSeq header field of the response MUST equal the CSeq
 * field of the request. The Via header field values in the response MUST equal the Via
 * header field values in the request and MUST maintain the same ordering." and "if the
 * request did not have a tag in the To header field, the UAS core MUST add a tag".
 * A malformed ACK gets silence: an ACK is never answered (RFC 3261 §17.1.1.1 makes it part of
 * the INVITE transaction, or a transaction of its own with no response for a 2xx), and its
 * sender would have nothing to match a response to.
 */
export function rfc3261_8_2_6_badRequestResponse(
  bytes: Uint8Array,
  status: number,
  reason: string,
): Uint8Array | undefined {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, MAX_SCANNED)).toString(
    "latin1",
  );
  const headEnd = text.search(/\r?\n\r?\n/);
  const lines = unfold((headEnd < 0 ? text : text.slice(0, headEnd)).split(/\r?\n/));
  const requestLine = lines[0]?.trim() ?? "";
  if (!REQUEST_LINE.test(requestLine) || requestLine.startsWith("ACK ")) return undefined;

  const found = new Map<string, string[]>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const canonical = COPIED.find(([long, compact]) => name === long || name === compact)?.[0];
    if (canonical === undefined) continue;
    const value = line.slice(colon + 1).trim();
    if (value === "" || hasControlCharacter(value)) return undefined;
    const values = found.get(canonical) ?? [];
    values.push(value);
    found.set(canonical, values);
  }
  for (const [name] of COPIED) if (!found.has(name)) return undefined;
  const cseq = found.get("cseq")?.[0] ?? "";
  if (/\bACK\s*$/.test(cseq)) return undefined;

  const safeReason =
    [...reason]
      .filter((c) => c >= " " && c <= "~")
      .join("")
      .slice(0, 100) || "Bad Request";
  const out = [`SIP/2.0 ${status} ${safeReason}`];
  for (const [name, label] of [
    ["via", "Via"],
    ["from", "From"],
    ["to", "To"],
    ["call-id", "Call-ID"],
    ["cseq", "CSeq"],
  ] as const) {
    const values = found.get(name) ?? [];
    for (const value of name === "via" ? values : values.slice(0, 1)) {
      out.push(`${label}: ${name === "to" ? withTag(value) : value}`);
    }
  }
  out.push("Content-Length: 0", "", "");
  return Buffer.from(out.join("\r\n"), "latin1");
}

/** Control characters other than HTAB would change the meaning of the response if echoed. */
function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true;
  }
  return false;
}

/** Joins folded continuation lines onto the line they continue (RFC 3261 §7.3.1). */
function unfold(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const last = out.length - 1;
    if ((line.startsWith(" ") || line.startsWith("\t")) && last >= 0)
      out[last] = `${out[last]} ${line.trim()}`;
    else out.push(line);
  }
  return out;
}

function withTag(to: string): string {
  const afterUri = to.includes(">") ? to.slice(to.lastIndexOf(">")) : to;
  if (/;\s*tag\s*=/i.test(afterUri)) return to;
  return `${to};tag=${randomBytes(6).toString("hex")}`;
}
