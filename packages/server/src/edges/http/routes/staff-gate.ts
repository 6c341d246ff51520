import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { sendProblem } from "../problem.ts";

/** The header naming the person acting; it goes into the history of what they did. */
export const STAFF_HEADER = "x-staff-member";

/**
 * The gate of every `/api/v1/staff/...` route until the staff console and its roles exist: the
 * operator's staff key (`ZAQROS_STAFF_API_KEY`) as `Authorization: Bearer`, compared in constant
 * time, and the name of the person acting in `x-staff-member`. Customer API keys never get in:
 * they act for one account, and these routes act on all of them. Answers are never cached.
 */
export function addStaffGate(app: FastifyInstance, staffApiKey: string): void {
  const expected = createHash("sha256").update(staffApiKey).digest();
  const refuse = (request: FastifyRequest, reply: FastifyReply, status: 401 | 422, detail: string) => {
    if (status === 401) reply.header("www-authenticate", 'Bearer realm="zaqros-staff"');
    return sendProblem(reply, {
      type: "about:blank",
      title: status === 401 ? "Staff key required" : "Name the staff member",
      status,
      detail,
      instance: request.url.split("?")[0],
    });
  };
  app.addHook("onRequest", async (request, reply) => {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(request.headers.authorization ?? "");
    const sent = createHash("sha256")
      .update(match?.[1] ?? "")
      .digest();
    if (!match || !timingSafeEqual(sent, expected)) {
      return refuse(request, reply, 401, "Send the operator's staff key as Authorization: Bearer <key>.");
    }
    const staff = request.headers[STAFF_HEADER];
    if (typeof staff !== "string" || !/^[\w.@ -]{1,80}$/.test(staff)) {
      return refuse(
        request,
        reply,
        422,
        `Say who is acting in the ${STAFF_HEADER} header; it goes into the history.`,
      );
    }
  });
  app.addHook("onSend", async (_request, reply, payload) => {
    reply.header("cache-control", "no-store");
    return payload;
  });
}

/** The staff member the gate let in. */
export const staffOf = (request: FastifyRequest): string => request.headers[STAFF_HEADER] as string;
