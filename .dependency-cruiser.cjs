/**
 * The boundaries of DESIGN.md, checked in CI (`npm run layering`).
 * scripts/layering.test.ts feeds each rule a violating import and proves it fails.
 */
const SRV = "^packages/server/src";
const SIP = "^packages/sip/src";

const sipLayers = ["grammar", "message", "transport", "transaction", "dialog", "auth"];

module.exports = {
  forbidden: [
    {
      name: "domain-imports-edge",
      comment: "domains/* import no edge: edges call domains, never the other way round.",
      severity: "error",
      from: { path: `${SRV}/domains/` },
      to: { path: `${SRV}/edges/` },
    },
    {
      name: "domain-imports-transport-library",
      comment: "domains/* import no Fastify and no SIP library: they know use cases, not protocols.",
      severity: "error",
      from: { path: `${SRV}/domains/` },
      to: {
        path: [
          "(^|/)node_modules/fastify/",
          "^fastify$",
          "(^|/)node_modules/@zaqros/sip/",
          "^@zaqros/sip",
          "^packages/sip/",
        ],
      },
    },
    {
      name: "domain-imports-other-repository",
      comment: "Cross-domain calls go through the other domain's service, never its repository.",
      severity: "error",
      from: { path: `${SRV}/domains/([^/]+)/` },
      to: { path: `${SRV}/domains/[^/]+/[^/]+\\.repository\\.ts$`, pathNot: `${SRV}/domains/$1/` },
    },
    {
      name: "sip-edge-imports-http-edge",
      comment: "edges/sip and edges/http never import each other; both get services from compose.ts.",
      severity: "error",
      from: { path: `${SRV}/edges/sip/` },
      to: { path: `${SRV}/edges/http/` },
    },
    {
      name: "http-edge-imports-sip-edge",
      comment: "edges/sip and edges/http never import each other; both get services from compose.ts.",
      severity: "error",
      from: { path: `${SRV}/edges/http/` },
      to: { path: `${SRV}/edges/sip/` },
    },
    {
      name: "edge-imports-repository-or-db",
      comment: "Edges receive services from compose.ts; they never reach a repository or the database.",
      severity: "error",
      from: { path: `${SRV}/edges/`, pathNot: "\\.test\\.ts$" },
      to: { path: [`${SRV}/domains/[^/]+/[^/]+\\.repository\\.ts$`, `${SRV}/db/`] },
    },
    {
      name: "protocol-package-imports-platform",
      comment: "packages/sip and packages/media know nothing of accounts, billing or the database.",
      severity: "error",
      from: { path: "^packages/(sip|media)/" },
      to: {
        path: [
          "^packages/server/",
          "^packages/portal/",
          "(^|/)node_modules/(kysely|pg|better-sqlite3|fastify)/",
        ],
      },
    },
    {
      name: "sip-imports-other-package",
      comment: "packages/sip depends on nothing else in this repo and on no runtime library but ws.",
      severity: "error",
      from: { path: "^packages/sip/src/", pathNot: "\\.test\\.ts$" },
      to: {
        dependencyTypesNot: ["core", "type-only"],
        pathNot: ["^packages/sip/", "^\\.{1,2}/", "(^|/)node_modules/ws/", "(^|/)node_modules/@types/"],
      },
    },
    ...sipLayers.map((layer, index) => ({
      name: `sip-${layer}-imports-lower-layer`,
      comment: `packages/sip/${layer} imports only the layers above it: ${sipLayers.slice(0, index).join(", ") || "none"}.`,
      severity: "error",
      from: { path: `${SIP}/${layer}/`, pathNot: "\\.test\\.ts$" },
      to: {
        path: `${SIP}/(${sipLayers.slice(index + 1).join("|") || "-none-"})/|${SIP}/stack\\.ts$|${SIP}/index\\.ts$`,
      },
    })),
    {
      name: "not-to-unresolvable",
      comment: "An import that resolves to nothing is a typo or a missing file.",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: "no-circular",
      comment: "Circular imports hide layering mistakes.",
      severity: "error",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|dist|data|test-output)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
  },
};
