import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { Registry } from "prom-client";
import { CURRENT_LEGAL_VERSIONS } from "../../../domains/identity/legal-versions.ts";
import { createLogger } from "../../../logging/logger.ts";
import { forEachDialectWithServices } from "../../../testing/test-services.ts";
import { buildHttpApp } from "../app.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

forEachDialectWithServices("legal routes", (context) => {
  let app: FastifyInstance;
  before(() => {
    const { services } = context();
    app = buildHttpApp({
      logger: createLogger({ level: "silent", format: "json" }),
      metrics: new Registry(),
      databaseReady: async () => true,
      legal: { legal: services.legal },
    });
  });
  after(() => app.close());

  test("when anyone asks for the legal documents, then the ones in force come with their last-updated date and announced changes follow", async () => {
    const { services, clock } = context();
    let response = await app.inject({ method: "GET", url: "/api/v1/legal" });
    assert.equal(response.statusCode, 200);
    let body = response.json();
    assert.deepEqual(
      body.current.map((d: { document: string; version: string; effectiveAt: string }) => [
        d.document,
        d.version,
        d.effectiveAt,
      ]),
      [
        ["terms", CURRENT_LEGAL_VERSIONS.terms, "2026-11-30T00:00:00.000Z"],
        ["privacy", CURRENT_LEGAL_VERSIONS.privacy, "2026-04-14T00:00:00.000Z"],
      ],
    );
    assert.match(body.current[1].body, /Lodge a complaint with a data-protection authority/);
    assert.deepEqual(body.upcoming, []);
    assert.equal(response.headers["set-cookie"], undefined, "reading the documents sets no cookie");

    await services.legal.publish({
      document: "terms",
      version: "2027-02-01",
      body: "Terms of Service\nNew terms.",
      effectiveAt: new Date(clock.now().getTime() + 40 * DAY_MS),
      material: true,
      summary: "Prices are shown with tax.",
    });
    response = await app.inject({ method: "GET", url: "/api/v1/legal" });
    body = response.json();
    assert.equal(
      body.current[0].version,
      CURRENT_LEGAL_VERSIONS.terms,
      "the old terms stay in force until the date",
    );
    assert.deepEqual(
      body.upcoming.map((d: { version: string; material: boolean; summary: string }) => [
        d.version,
        d.material,
        d.summary,
      ]),
      [["2027-02-01", true, "Prices are shown with tax."]],
    );
  });
});
