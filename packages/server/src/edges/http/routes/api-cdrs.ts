import { Readable } from "node:stream";
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import type { CdrService } from "../../../domains/cdr/cdr.service.ts";
import { cdrCsvHeader, cdrCsvLine } from "../../../domains/cdr/cdr-csv.ts";
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

  /** What a request asks for: its range and filters, always within the caller's own account. */
  const queryOf = (request: FastifyRequest<{ Querystring: CdrFilters }>) => ({
    ...rangeOf(request.query),
    accountId: principalOf(request).accountId,
    number: request.query.number,
    status: request.query.status,
  });

  /** One page; the filters run in the database, so a page holds `limit` records whenever that many match. */
  async function page(request: FastifyRequest<{ Querystring: CdrFilters }>) {
    const query = request.query;
    const result = await options.cdrs.list({ ...queryOf(request), cursor: query.cursor, limit: query.limit });
    return { items: result.items, nextCursor: result.nextCursor ?? null };
  }

  async function* csvLines(request: FastifyRequest<{ Querystring: CdrFilters }>) {
    yield cdrCsvHeader();
    let cursor: string | undefined;
    do {
      const result = await options.cdrs.list({ ...queryOf(request), cursor, limit: 1000, order: "asc" });
      const lines = result.items.map(cdrCsvLine).join("");
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
          "Filters by date, number (source or destination) and status apply before paging: a page holds `limit` records unless it is the last. Follow nextCursor until it is null.",
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
