import type { FastifyPluginAsync } from "fastify";

/** `GET /`: where the portal will be served; until it is built, a page saying the platform runs. */
export const homeRoutes: FastifyPluginAsync = async (app) => {
  app.get("/", async (_request, reply) => {
    return reply
      .type("text/html; charset=utf-8")
      .send(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Zaqros</title></head>' +
          '<body><main><h1>Zaqros</h1><p>The platform is running. Health: <a href="/healthz">/healthz</a>.</p></main></body></html>',
      );
  });
};
