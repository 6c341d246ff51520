import { parseAuthHeader } from "../grammar/auth-header.ts";
import { parseCallId } from "../grammar/call-id.ts";
import { all, TOKEN, trimWsp } from "../grammar/charset.ts";
import { parseCSeq } from "../grammar/cseq.ts";
import { parseContentLength, parseExpires, parseMaxForwards } from "../grammar/integer-value.ts";
import { nextListComma, splitHeaderList } from "../grammar/list-split.ts";
import { parseNameAddr } from "../grammar/name-addr.ts";
import { SipParseError } from "../grammar/sip-parse-error.ts";
import { parseVia } from "../grammar/via.ts";
import { headerKey } from "./header-names.ts";
import type { AuthHeader, CSeq, HeaderField, NameAddr, SipHeaders, Via } from "./types.ts";

const unset: unique symbol = Symbol("unset");
type Unset = typeof unset;

type AuthHeaderName = "www-authenticate" | "proxy-authenticate" | "authorization" | "proxy-authorization";

/**
 * The header fields of a message, in order, with typed views of the hot headers.
 *
 * Raw values are the truth: serialization writes them, so a header nobody touched goes out
 * exactly as it came in. Typed views (`via()`, `from()` ...) are parsed on first use and
 * cached until a field of that name changes. They are snapshots: to change a header, write it
 * back with `set`, `prepend`, `replaceFirstValue` ... (the grammar's `format*` functions
 * produce the text), never by mutating the returned objects.
 */
export class Headers implements SipHeaders {
  #fields: HeaderField[];
  /** `#keys[i]` is the lookup key (lower-case long name) of `#fields[i]`. */
  #keys: string[];
  // Typed views, parsed on first use; `unset` until then (undefined is a valid parsed value).
  #via: Via[] | Unset = unset;
  #topVia: Via | undefined | Unset = unset;
  #from: NameAddr | Unset = unset;
  #to: NameAddr | Unset = unset;
  #callId: string | Unset = unset;
  #cseq: CSeq | Unset = unset;
  #contact: NameAddr[] | "*" | Unset = unset;
  #route: NameAddr[] | Unset = unset;
  #recordRoute: NameAddr[] | Unset = unset;
  #maxForwards: number | undefined | Unset = unset;
  #contentLength: number | undefined | Unset = unset;
  #expires: number | undefined | Unset = unset;
  #auth: Map<string, AuthHeader[]> | undefined;

  constructor(fields: Iterable<readonly [name: string, value: string]> = []) {
    this.#fields = [];
    this.#keys = [];
    for (const [name, value] of fields) this.append(name, value);
  }

  /** Takes ownership of already-split fields; `keys[i]` must be `headerKey(fields[i].name)`. */
  static fromParsed(fields: HeaderField[], keys: string[]): Headers {
    const headers = new Headers();
    headers.#fields = fields;
    headers.#keys = keys;
    return headers;
  }

  get fields(): readonly Readonly<HeaderField>[] {
    return this.#fields;
  }

  get size(): number {
    return this.#fields.length;
  }

  getRaw(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (let i = 0; i < this.#keys.length; i++) if (this.#keys[i] === key) out.push(this.#fields[i]!.value);
    return out;
  }

  /** Every value of a comma-separated header, split and trimmed, across all its fields. */
  getList(name: string): string[] {
    const out: string[] = [];
    for (const raw of this.getRaw(name))
      for (const item of splitHeaderList(raw)) if (item !== "") out.push(item);
    return out;
  }

  first(name: string): string | undefined {
    const i = this.#keys.indexOf(headerKey(name));
    return i < 0 ? undefined : this.#fields[i]!.value;
  }

  has(name: string): boolean {
    return this.#keys.includes(headerKey(name));
  }

  /** Number of fields (lines) with that name. */
  count(name: string): number {
    const key = headerKey(name);
    let n = 0;
    for (const k of this.#keys) if (k === key) n++;
    return n;
  }

  append(name: string, value: string, afterSame = false): void {
    checkName(name);
    const key = headerKey(name);
    this.#invalidate(key);
    const field = { name, value: cleanValue(value) };
    const last = afterSame ? this.#keys.lastIndexOf(key) : -1;
    if (last < 0) {
      this.#fields.push(field);
      this.#keys.push(key);
    } else {
      this.#fields.splice(last + 1, 0, field);
      this.#keys.splice(last + 1, 0, key);
    }
  }

  /**
   * Appends every value `from` holds under `name`, as they are: values in a Headers are clean
   * already (each went through `append` or the parser), so they are not checked again. For
   * building a response from its request, where the copies are most of the work.
   */
  copyFrom(from: SipHeaders, name: string): void {
    if (!(from instanceof Headers)) {
      for (const value of from.getRaw(name)) this.append(name, value);
      return;
    }
    checkName(name);
    const key = headerKey(name);
    const keys = from.#keys;
    let copied = false;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] !== key) continue;
      this.#fields.push({ name, value: from.#fields[i]!.value });
      this.#keys.push(key);
      copied = true;
    }
    if (copied) this.#invalidate(key);
  }

  prepend(name: string, value: string): void {
    checkName(name);
    const key = headerKey(name);
    this.#invalidate(key);
    const i = Math.max(0, this.#keys.indexOf(key));
    this.#fields.splice(i, 0, { name, value: cleanValue(value) });
    this.#keys.splice(i, 0, key);
  }

  set(name: string, value: string): void {
    checkName(name);
    const key = headerKey(name);
    const i = this.#keys.indexOf(key);
    if (i < 0) {
      this.append(name, value);
      return;
    }
    this.remove(name);
    this.#fields.splice(i, 0, { name, value: cleanValue(value) });
    this.#keys.splice(i, 0, key);
  }

  remove(name: string): void {
    const key = headerKey(name);
    this.#invalidate(key);
    for (let i = this.#keys.length - 1; i >= 0; i--) {
      if (this.#keys[i] === key) {
        this.#keys.splice(i, 1);
        this.#fields.splice(i, 1);
      }
    }
  }

  removeFirstValue(name: string): void {
    const key = headerKey(name);
    const i = this.#keys.indexOf(key);
    if (i < 0) return;
    this.#invalidate(key);
    const field = this.#fields[i]!;
    const comma = nextListComma(field.value);
    if (comma < 0) {
      this.#fields.splice(i, 1);
      this.#keys.splice(i, 1);
    } else {
      this.#fields[i] = { name: field.name, value: trimWsp(field.value.slice(comma + 1)) };
    }
  }

  /** Replaces only the first value of a (possibly comma-separated) header, e.g. the top Via. */
  replaceFirstValue(name: string, value: string): void {
    const key = headerKey(name);
    const i = this.#keys.indexOf(key);
    if (i < 0) {
      this.append(name, value);
      return;
    }
    this.#invalidate(key);
    const field = this.#fields[i]!;
    const comma = nextListComma(field.value);
    const rest = comma < 0 ? "" : `, ${trimWsp(field.value.slice(comma + 1))}`;
    this.#fields[i] = { name: field.name, value: cleanValue(value) + rest };
  }

  clone(): Headers {
    return Headers.fromParsed(
      this.#fields.map((f) => ({ name: f.name, value: f.value })),
      this.#keys.slice(),
    );
  }

  via(): Via[] {
    if (this.#via === unset) this.#via = inHeader("via", () => this.#list("via", "BAD_VIA").map(parseVia));
    return this.#via;
  }

  topVia(): Via | undefined {
    if (this.#topVia === unset) {
      const raw = this.#first("via");
      const comma = raw === undefined ? -1 : nextListComma(raw);
      this.#topVia =
        raw === undefined
          ? undefined
          : inHeader("via", () => parseVia(comma < 0 ? raw : raw.slice(0, comma)));
    }
    return this.#topVia;
  }

  from(): NameAddr {
    if (this.#from === unset) this.#from = inHeader("from", () => parseNameAddr(this.#required("from")));
    return this.#from;
  }

  to(): NameAddr {
    if (this.#to === unset) this.#to = inHeader("to", () => parseNameAddr(this.#required("to")));
    return this.#to;
  }

  callId(): string {
    if (this.#callId === unset)
      this.#callId = inHeader("call-id", () => parseCallId(this.#required("call-id")));
    return this.#callId;
  }

  cseq(): CSeq {
    if (this.#cseq === unset) this.#cseq = inHeader("cseq", () => parseCSeq(this.#required("cseq")));
    return this.#cseq;
  }

  contact(): NameAddr[] | "*" {
    if (this.#contact === unset) {
      this.#contact = inHeader("contact", () => {
        const values = this.#list("contact", "BAD_NAME_ADDR");
        return values.length === 1 && values[0] === "*" ? "*" : values.map((v) => parseNameAddr(v));
      });
    }
    return this.#contact;
  }

  route(): NameAddr[] {
    if (this.#route === unset) {
      this.#route = inHeader("route", () =>
        this.#list("route", "BAD_NAME_ADDR").map((v) => parseNameAddr(v)),
      );
    }
    return this.#route;
  }

  recordRoute(): NameAddr[] {
    if (this.#recordRoute === unset) {
      this.#recordRoute = inHeader("record-route", () =>
        this.#list("record-route", "BAD_NAME_ADDR").map((v) => parseNameAddr(v)),
      );
    }
    return this.#recordRoute;
  }

  maxForwards(): number | undefined {
    if (this.#maxForwards === unset)
      this.#maxForwards = optional(this.#first("max-forwards"), parseMaxForwards);
    return this.#maxForwards;
  }

  /**
   * @remarks RFC 3261 §7.3.1 allows repeating only list-valued headers; two different
   * Content-Length values leave the body's extent unknown (RFC 4475 §3.3.9), so they are
   * rejected rather than one of them picked.
   */
  contentLength(): number | undefined {
    if (this.#contentLength === unset) {
      let value: number | undefined;
      for (let i = 0; i < this.#keys.length; i++) {
        if (this.#keys[i] !== "content-length") continue;
        const n = parseContentLength(this.#fields[i]!.value);
        if (value !== undefined && n !== value) {
          throw new SipParseError("BAD_CONTENT_LENGTH", "conflicting values", "content-length");
        }
        value = n;
      }
      this.#contentLength = value;
    }
    return this.#contentLength;
  }

  expires(): number | undefined {
    if (this.#expires === unset) this.#expires = optional(this.#first("expires"), parseExpires);
    return this.#expires;
  }

  auth(name: AuthHeaderName): AuthHeader[] {
    this.#auth ??= new Map();
    let value = this.#auth.get(name);
    if (value === undefined) {
      value = inHeader(name, () => this.getRaw(name).flatMap(parseAuthHeader));
      this.#auth.set(name, value);
    }
    return value;
  }

  #first(key: string): string | undefined {
    const i = this.#keys.indexOf(key);
    return i < 0 ? undefined : this.#fields[i]!.value;
  }

  #invalidate(key: string): void {
    switch (key) {
      case "via":
        this.#via = unset;
        this.#topVia = unset;
        break;
      case "from":
        this.#from = unset;
        break;
      case "to":
        this.#to = unset;
        break;
      case "call-id":
        this.#callId = unset;
        break;
      case "cseq":
        this.#cseq = unset;
        break;
      case "contact":
        this.#contact = unset;
        break;
      case "route":
        this.#route = unset;
        break;
      case "record-route":
        this.#recordRoute = unset;
        break;
      case "max-forwards":
        this.#maxForwards = unset;
        break;
      case "content-length":
        this.#contentLength = unset;
        break;
      case "expires":
        this.#expires = unset;
        break;
      default:
        this.#auth?.delete(key);
    }
  }

  #required(key: string): string {
    const value = this.#first(key);
    if (value === undefined) throw new SipParseError("MISSING_HEADER", key, key);
    return value;
  }

  /** All comma-separated values of a list header; an empty element is malformed. */
  #list(key: string, code: "BAD_VIA" | "BAD_NAME_ADDR"): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.#keys.length; i++) {
      if (this.#keys[i] !== key) continue;
      for (const item of splitHeaderList(this.#fields[i]!.value)) {
        if (item === "") throw new SipParseError(code, "empty list element", key);
        out.push(item);
      }
    }
    return out;
  }
}

/**
 * Names given by callers must be tokens: anything else (a colon, a line break) would let a
 * value be read as another header on the wire.
 */
function checkName(name: string): void {
  if (!all(name, TOKEN)) throw new TypeError(`not a valid header name: ${JSON.stringify(name.slice(0, 40))}`);
}

/** Runs a typed parse, naming the header in any SipParseError it throws. */
function inHeader<T>(key: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw error instanceof SipParseError ? error.inHeader(key) : error;
  }
}

function optional<T>(raw: string | undefined, parse: (s: string) => T): T | undefined {
  return raw === undefined ? undefined : parse(raw);
}

/**
 * Header values set by callers must not smuggle a line break into the message. Only SP and
 * HTAB count as whitespace to trim (RFC 3261 §25.1 `LWS`); other spaces are content.
 *
 * @remarks RFC 3261 §7.3.1: header fields "can be extended over multiple lines by preceding
 * each extra line with at least one space or horizontal tab"; a bare CR or LF in a value
 * would end the field, so each line break and the whitespace around it become one space.
 */
function cleanValue(value: string): string {
  if (!value.includes("\n") && !value.includes("\r")) return trimWsp(value);
  return value
    .split(/\r\n|\r|\n/)
    .map(trimWsp)
    .filter((line) => line !== "")
    .join(" ");
}
