import { readFileSync } from "node:fs";
import type { Command } from "commander";
import type { Config } from "../config/config.ts";
import type { LegalDocumentKind } from "../domains/legal/legal.types.ts";
import { openServices } from "../main/compose.ts";
import { emit } from "./output.ts";

const day = (iso: string) => iso.slice(0, 10);

/** `zaqros legal show|publish`: the Terms and Privacy Policy as versioned documents (privacy policy §12). */
export function registerLegalCommands(program: Command, config: () => Config): void {
  const legal = program.command("legal").description("The Terms of Service and the Privacy Policy");

  legal
    .command("show")
    .description("The versions in force and the changes announced")
    .option("--json", "machine-readable output")
    .action(async (o: { json?: boolean }) => {
      const { services, close } = await openServices(config());
      try {
        const overview = await services.legal.overview();
        const strip = ({ body: _body, ...rest }: { body: string }) => rest;
        emit(
          Boolean(o.json),
          { current: overview.current.map(strip), upcoming: overview.upcoming.map(strip) },
          () =>
            [
              ...overview.current.map(
                (d) => `${d.title}: version ${d.version}, last updated ${day(d.effectiveAt)}`,
              ),
              ...overview.upcoming.map(
                (d) =>
                  `Announced: ${d.title} version ${d.version} takes effect ${day(d.effectiveAt)}${d.material ? ` (material; ${d.notifiedCount ?? 0} customer(s) emailed)` : ""}`,
              ),
            ].join("\n"),
        );
      } finally {
        await close();
      }
    });

  legal
    .command("publish")
    .description(
      "Publish a new version; a material change is emailed to every active customer and announced in the portal until it takes effect",
    )
    .requiredOption("--document <terms|privacy>", "which document")
    .requiredOption("--version <label>", "the version's label, e.g. 2027-01-15")
    .requiredOption("--file <path>", "the full text, plain UTF-8")
    .option(
      "--effective <YYYY-MM-DD>",
      "the day it takes effect (UTC); default now, or after the notice period if material",
    )
    .option("--material", "a material change: needs --summary and the notice period")
    .option("--summary <text>", "what changes, in a few sentences, for the email and the notice")
    .option("--title <text>", "the title shown; default the document's usual title")
    .option("--json", "machine-readable output")
    .action(
      async (o: {
        document: string;
        version: string;
        file: string;
        effective?: string;
        material?: boolean;
        summary?: string;
        title?: string;
        json?: boolean;
      }) => {
        if (o.document !== "terms" && o.document !== "privacy") {
          throw new Error(`--document must be terms or privacy, not "${o.document}"`);
        }
        if (o.effective !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(o.effective)) {
          throw new Error(`--effective must be a day such as 2027-01-15, not "${o.effective}"`);
        }
        let body: string;
        try {
          body = readFileSync(o.file, "utf8");
        } catch (error) {
          throw new Error(`cannot read ${o.file}: ${(error as NodeJS.ErrnoException).code ?? "error"}`);
        }
        const { services, close } = await openServices(config());
        try {
          const { document, notified } = await services.legal.publish({
            document: o.document as LegalDocumentKind,
            version: o.version,
            body,
            title: o.title,
            effectiveAt: o.effective ? new Date(`${o.effective}T00:00:00.000Z`) : undefined,
            material: Boolean(o.material),
            summary: o.summary,
          });
          const { body: _body, ...shown } = document;
          emit(Boolean(o.json), { document: shown, notified }, () =>
            [
              `Published ${document.title} version ${document.version}, in force from ${document.effectiveAt}.`,
              document.material
                ? `Emailed ${notified} active customer(s); the portal shows a notice until then.`
                : "Not material: no email and no notice.",
            ].join("\n"),
          );
        } finally {
          await close();
        }
      },
    );
}
