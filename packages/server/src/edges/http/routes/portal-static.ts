import { statSync } from "node:fs";
import { join, normalize, sep } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyPluginAsync, FastifyReply } from "fastify";
import { sendProblem } from "../problem.ts";

/** Where `npm run build` (Vite) puts the portal: packages/portal/dist. */
export const DEFAULT_PORTAL_ROOT = new URL("../../../../../portal/dist/", import.meta.url).pathname;

export interface PortalStaticOptions {
  /** The built portal; default {@link DEFAULT_PORTAL_ROOT}. */
  root?: string | undefined;
}

/** Vite names built assets by content hash, so a browser may keep them for good. */
const IMMUTABLE = "public, max-age=31536000, immutable";

/**
 * `GET /` and every other path outside `/api/`: the portal, a single-page app. A path naming a
 * file of the build gets that file; any other path gets index.html and the portal's router shows
 * the page (or its own "not found"). Paths under `/api/` that match no route stay problem+json 404s.
 * The build is looked up per request, so a rebuild is served without a restart.
 */
export const portalStaticRoutes: FastifyPluginAsync<PortalStaticOptions> = async (app, options) => {
  const root = normalize(options.root ?? DEFAULT_PORTAL_ROOT);
  await app.register(fastifyStatic, { root, serve: false, decorateReply: true });

  const fileIn = (path: string): string | undefined => {
    const relative = normalize(path).replace(/^(\.\.(\/|\\|$))+/, "");
    const absolute = join(root, relative);
    if (!absolute.startsWith(root.endsWith(sep) ? root : `${root}${sep}`)) return undefined;
    return statSync(absolute, { throwIfNoEntry: false })?.isFile() ? relative : undefined;
  };

  const sendIndex = (reply: FastifyReply) => {
    if (!fileIn("index.html")) {
      return reply
        .status(503)
        .type("text/html; charset=utf-8")
        .header("cache-control", "no-store")
        .send(
          '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Zaqros</title></head>' +
            "<body><main><h1>Zaqros</h1><p>The platform is running, but the portal has not been built. " +
            "Run <code>npm run build</code> (or start with <code>npm start</code>, which builds it).</p>" +
            '<p>Health: <a href="/healthz">/healthz</a>. API: <a href="/api/docs">/api/docs</a>.</p></main></body></html>',
        );
    }
    return reply.header("cache-control", "no-cache").sendFile("index.html", { cacheControl: false });
  };

  app.get("/", { schema: { hide: true } }, async (_request, reply) => sendIndex(reply));

  app.get<{ Params: { "*": string } }>("/*", { schema: { hide: true } }, async (request, reply) => {
    const path = request.params["*"] ?? "";
    const file = path.includes("\0") ? undefined : fileIn(path);
    // An API path, or a build asset that is not there (an old page asking for a replaced bundle), is a
    // real 404: answering index.html would hand a script tag HTML.
    if (path === "api" || path.startsWith("api/") || (!file && path.startsWith("assets/"))) {
      return sendProblem(reply, {
        type: "about:blank",
        title: "Not found",
        status: 404,
        instance: request.url.split("?")[0],
      });
    }
    if (file && file !== "index.html") {
      reply.header("cache-control", file.startsWith(`assets${sep}`) ? IMMUTABLE : "no-cache");
      return reply.sendFile(file, { cacheControl: false });
    }
    return sendIndex(reply);
  });
};
