import { Readable } from "node:stream";
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import type { CdrService } from "../../../domains/cdr/cdr.service.ts";
import type { Cdr } from "../../../domains/cdr/cdr.types.ts";
import { cdrCsvHeader, cdrCsvLine } from "../../../domains/cdr/cdr-csv.ts";
import { encodeCdrCursor } from "../../../domains/cdr/cdr-cursor.ts";
import { DomainError } from "../../../domains/domain-error.ts";
import { principalOf } from "./api-authentication.ts";
import { commonErrors, nullableString, pageCursor } from "./api-schemas.ts";

const cdrSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    id: { type: "string" },
    callId: { type: "string" },
    deviceId: nullableString,
    direction: { type: "string", enum: ["outbound", "inbound", "onnet"] },
    source: { type: "string" },
    destination: { type: "string" },
    startedAt: { type: "string", format: "date-time" },
    answeredAt: nullableString,
    endedAt: { type: "string", format: "date-time" },
    durationSeconds: { type: "integer" },
    billedSeconds: { type: "integer" },
    cost: { type: "integer", description: "Micro-units of currency." },
    currency: { type: "string" },
    sipStatus: { type: ["integer", "null"] },
    hangupBy: { type: "string" },
  },
  required: [
    "id",
    "callId",
    "direction",
    "source",
    "destination",
    "startedAt",
    "endedAt",
    "cost",
    "currency",
  ],
} as const;

const cdrPageSchema = {
  type: "object",
  additionalProperties: false,
  properties: { items: { type: "array", items: cdrSchema }, nextCursor: nullableString },
  required: ["items", "nextCursor"],
} as const;

type CallStatus = "answered" | "unanswered";

interface CdrFilters {
  from?: string;
  to?: string;
  number?: string;
  status?: CallStatus;
  limit: number;
  cursor?: string;
}

const querystring = {
  type: "object",
  additionalProperties: false,
  properties: {
    from: {
      type: "string",
      format: "date-time",
      description: "Calls started at or after (default: 396 days ago).",
    },
    to: { type: "string", format: "date-time", description: "Calls started before (default: now)." },
    number: { type: "string", maxLength: 32, description: "Only calls from or to this number (E.164)." },
    status: { type: "string", enum: ["answered", "unanswered"] },
    limit: { type: "integer", minimum: 1, maximum: 1000, default: 50 },
    cursor: pageCursor,
  },
} as const;

/** Call records are kept 396 days (privacy policy §7), so the default range covers all of them. */
const DEFAULT_RANGE_MS = 396 * 86_400_000;
/** Records a filtered page reads at most before it answers with what it found and a cursor. */
const FILTER_SCAN_LIMIT = 5_000;

/** `GET /cdrs` (JSON, or CSV by `Accept: text/csv`) and `GET /cdrs.csv`: the account's call records. */
export const apiCdrsRoutes: FastifyPluginAsync<{ cdrs: CdrService; now: () => Date }> = async (
  app,
  options,
) => {
  const rangeOf = (query: CdrFilters) => {
    const to = query.to === undefined ? options.now() : new Date(query.to);
    const from = query.from === undefined ? new Date(to.getTime() - DEFAULT_RANGE_MS) : new Date(query.from);
    return { from, to };
  };

  const matches = (query: CdrFilters) => (cdr: Cdr) =>
    (query.number === undefined || cdr.source === query.number || cdr.destination === query.number) &&
    (query.status === undefined || (query.status === "answered") === (cdr.answeredAt !== null));

  /** One page; with number or status filters, reads ahead until the page is full or the scan limit. */
  async function page(request: FastifyRequest<{ Querystring: CdrFilters }>) {
    const query = request.query;
    const base = { ...rangeOf(query), accountId: principalOf(request).accountId };
    if (query.number === undefined && query.status === undefined) {
      const result = await options.cdrs.list({ ...base, cursor: query.cursor, limit: query.limit });
      return { items: result.items, nextCursor: result.nextCursor ?? null };
    }
    const keep = matches(query);
    const items: Cdr[] = [];
    let cursor = query.cursor;
    let scanned = 0;
    while (scanned < FILTER_SCAN_LIMIT) {
      const result = await options.cdrs.list({ ...base, cursor, limit: 1000 });
      for (const cdr of result.items) {
        scanned++;
        if (!keep(cdr)) continue;
        items.push(cdr);
        if (items.length === query.limit) return { items, nextCursor: encodeCdrCursor(cdr) };
      }
      if (result.nextCursor === undefined) return { items, nextCursor: null };
      cursor = result.nextCursor;
    }
    return { items, nextCursor: cursor ?? null };
  }

  async function* csvLines(request: FastifyRequest<{ Querystring: CdrFilters }>) {
    yield cdrCsvHeader();
    const keep = matches(request.query);
    let cursor: string | undefined;
    do {
      const result = await options.cdrs.list({
        ...rangeOf(request.query),
        accountId: principalOf(request).accountId,
        cursor,
        limit: 1000,
        order: "asc",
      });
      const lines = result.items.filter(keep).map(cdrCsvLine).join("");
      if (lines) yield lines;
      cursor = result.nextCursor;
    } while (cursor !== undefined);
  }

  /** The range is checked before the first byte, so a bad one is a problem+json answer, not a cut stream. */
  const sendCsv = (request: FastifyRequest<{ Querystring: CdrFilters }>) => {
    const { from, to } = rangeOf(request.query);
    if (!(from.getTime() < to.getTime())) {
      throw new DomainError("CDR.INVALID_QUERY", "The range needs a start before its end.", {
        field: "from",
      });
    }
    return Readable.from(csvLines(request));
  };

  app.get<{ Querystring: CdrFilters }>(
    "/cdrs",
    {
      schema: {
        tags: ["cdrs"],
        summary: "Call records, newest first; CSV (oldest first, every page) with Accept: text/csv",
        description:
          "With number or status filters a page may hold fewer than `limit` records (each request reads at most 5,000); keep following nextCursor until it is null.",
        querystring,
        response: {
          200: {
            description: "A page of records, or the whole range as CSV with Accept: text/csv.",
            content: {
              "application/json": { schema: cdrPageSchema },
              "text/csv": { schema: { type: "string" } },
            },
          },
          ...commonErrors,
        },
      },
    },
    async (request, reply) => {
      const accept = request.headers.accept ?? "";
      if (/\btext\/csv\b/i.test(accept) && !/\bapplication\/json\b/i.test(accept)) {
        return reply
          .type("text/csv; charset=utf-8")
          .header("content-disposition", 'attachment; filename="calls.csv"')
          .send(sendCsv(request));
      }
      return page(request);
    },
  );

  app.get<{ Querystring: CdrFilters }>(
    "/cdrs.csv",
    {
      schema: {
        tags: ["cdrs"],
        summary: "Call records in the range as CSV, oldest first",
        querystring,
        response: {
          200: { description: "RFC 4180 CSV", content: { "text/csv": { schema: { type: "string" } } } },
          ...commonErrors,
        },
      },
    },
    async (request, reply) =>
      reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", 'attachment; filename="calls.csv"')
        .send(sendCsv(request)),
  );
};
