import type { FastifyPluginAsync } from "fastify";

export interface HealthRoutesOptions {
  /** True when the database answers. */
  databaseReady: () => Promise<boolean>;
}

/** `GET /healthz`: 200 when the database answers, 503 otherwise (for load balancers and Kamailio probes). */
export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, options) => {
  app.get("/healthz", { logLevel: "warn" }, async (_request, reply) => {
    const database = await options.databaseReady();
    return reply
      .status(database ? 200 : 503)
      .header("cache-control", "no-store")
      .send({ status: database ? "ok" : "unavailable", checks: { database: database ? "ok" : "failing" } });
  });
};
