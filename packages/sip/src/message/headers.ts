import { parseAuthHeader } from "../grammar/auth-header.ts";
import { parseCallId } from "../grammar/call-id.ts";
import { parseCSeq } from "../grammar/cseq.ts";
import { parseContentLength, parseExpires, parseMaxForwards } from "../grammar/integer-value.ts";
import { nextListComma, splitHeaderList } from "../grammar/list-split.ts";
import { parseNameAddr } from "../grammar/name-addr.ts";
import { SipParseError } from "../grammar/sip-parse-error.ts";
import { parseVia } from "../grammar/via.ts";
import { headerKey } from "./header-names.ts";
import type { AuthHeader, CSeq, HeaderField, NameAddr, SipHeaders, Via } from "./types.ts";

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
  #cache: Map<string, unknown> | undefined;

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

  prepend(name: string, value: string): void {
    const key = headerKey(name);
    this.#invalidate(key);
    const i = Math.max(0, this.#keys.indexOf(key));
    this.#fields.splice(i, 0, { name, value: cleanValue(value) });
    this.#keys.splice(i, 0, key);
  }

  set(name: string, value: string): void {
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
      this.#fields[i] = { name: field.name, value: field.value.slice(comma + 1).trim() };
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
    const rest = comma < 0 ? "" : `, ${field.value.slice(comma + 1).trim()}`;
    this.#fields[i] = { name: field.name, value: cleanValue(value) + rest };
  }

  clone(): Headers {
    return Headers.fromParsed(
      this.#fields.map((f) => ({ name: f.name, value: f.value })),
      this.#keys.slice(),
    );
  }

  via(): Via[] {
    return this.#cached("via", () => this.#list("via", "BAD_VIA").map(parseVia));
  }

  /** The top Via, or undefined when there is none. Cheaper than `via()[0]` for long Via stacks. */
  topVia(): Via | undefined {
    return this.#cached(" top-via", () => {
      const raw = this.first("via");
      if (raw === undefined) return undefined;
      const comma = nextListComma(raw);
      return parseVia(comma < 0 ? raw : raw.slice(0, comma));
    });
  }

  from(): NameAddr {
    return this.#cached("from", () => parseNameAddr(this.#required("from")));
  }

  to(): NameAddr {
    return this.#cached("to", () => parseNameAddr(this.#required("to")));
  }

  callId(): string {
    return this.#cached("call-id", () => parseCallId(this.#required("call-id")));
  }

  cseq(): CSeq {
    return this.#cached("cseq", () => parseCSeq(this.#required("cseq")));
  }

  contact(): NameAddr[] | "*" {
    return this.#cached("contact", () => {
      const values = this.#list("contact", "BAD_NAME_ADDR");
      if (values.length === 1 && values[0] === "*") return "*";
      return values.map((v) => parseNameAddr(v));
    });
  }

  route(): NameAddr[] {
    return this.#cached("route", () => this.#list("route", "BAD_NAME_ADDR").map((v) => parseNameAddr(v)));
  }

  recordRoute(): NameAddr[] {
    return this.#cached("record-route", () =>
      this.#list("record-route", "BAD_NAME_ADDR").map((v) => parseNameAddr(v)),
    );
  }

  maxForwards(): number | undefined {
    return this.#cached("max-forwards", () => optional(this.first("max-forwards"), parseMaxForwards));
  }

  /**
   * @remarks RFC 3261 §7.3.1 allows repeating only list-valued headers; two different
   * Content-Length values leave the body's extent unknown (RFC 4475 §3.3.9), so they are
   * rejected rather than one of them picked.
   */
  contentLength(): number | undefined {
    return this.#cached("content-length", () => {
      let value: number | undefined;
      for (const raw of this.getRaw("content-length")) {
        const n = parseContentLength(raw);
        if (value !== undefined && n !== value) {
          throw new SipParseError("BAD_CONTENT_LENGTH", "conflicting values", "content-length");
        }
        value = n;
      }
      return value;
    });
  }

  expires(): number | undefined {
    return this.#cached("expires", () => optional(this.first("expires"), parseExpires));
  }

  auth(name: AuthHeaderName): AuthHeader[] {
    return this.#cached(name, () => this.getRaw(name).flatMap(parseAuthHeader));
  }

  #cached<T>(key: string, parse: () => T): T {
    this.#cache ??= new Map();
    if (this.#cache.has(key)) return this.#cache.get(key) as T;
    const value = parse();
    this.#cache.set(key, value);
    return value;
  }

  #invalidate(key: string): void {
    if (this.#cache === undefined) return;
    this.#cache.delete(key);
    if (key === "via") this.#cache.delete(" top-via");
  }

  #required(key: string): string {
    const value = this.first(key);
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

function optional<T>(raw: string | undefined, parse: (s: string) => T): T | undefined {
  return raw === undefined ? undefined : parse(raw);
}

/**
 * Header values set by callers must not smuggle a line break into the message.
 *
 * @remarks RFC 3261 §7.3.1: header fields "can be extended over multiple lines by preceding
 * each extra line with at least one space or horizontal tab"; a bare CR or LF in a value
 * would end the field, so folding is replaced with a single space.
 */
function cleanValue(value: string): string {
  return /[\r\n]/.test(value) ? value.replace(/[ \t]*\r?\n[ \t]*|\r/g, " ").trim() : value.trim();
}
