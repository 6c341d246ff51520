import type { FastifyPluginAsync } from "fastify";
import type { Registry } from "prom-client";

export interface MetricsRoutesOptions {
  registry: Registry;
}

/** `GET /metrics` in the Prometheus text exposition format. */
export const metricsRoutes: FastifyPluginAsync<MetricsRoutesOptions> = async (app, options) => {
  app.get("/metrics", { logLevel: "warn" }, async (_request, reply) => {
    const body = await options.registry.metrics();
    return reply.type(options.registry.contentType).header("cache-control", "no-store").send(body);
  });
};
