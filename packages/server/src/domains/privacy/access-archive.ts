import { stringify } from "csv-stringify/sync";
import { strToU8, zipSync } from "fflate";
import { DATASETS } from "./datasets.ts";
import type { DatasetName, Inventory } from "./inventory.types.ts";
import type { PrivacyRepository, SubjectKeys } from "./privacy.repository.ts";
import {
  datasetNames,
  describeRetention,
  exclusionReason,
  exportedColumns,
  LEGAL_BASIS_WORDS,
  type SubjectTable,
  subjectTables,
} from "./subject-data.ts";

/** The right to complain, named in every archive and on the Privacy page (privacy policy §9). */
export const COMPLAINT_RIGHT =
  "You may lodge a complaint with a data-protection authority in your country (privacy policy §9). In the EU and EEA, the European Data Protection Board lists every national authority: https://www.edpb.europa.eu/about-edpb/about-edpb/members_en ; in the UK it is the Information Commissioner's Office: https://ico.org.uk/make-a-complaint/ .";

export interface ManifestDataset {
  name: DatasetName;
  title: string;
  /** Why Zaqros holds the dataset, in one sentence. */
  purpose: string;
  /** `included`, or `none held` when no table of the dataset exists or holds a row of the customer. */
  status: "included" | "none held";
  rows: number;
  files: string[];
  purposes: string[];
  legalBases: string[];
  recipients: readonly string[];
  retention: string[];
  source: string;
  tables: Array<{
    table: string;
    describes: string;
    rows: number;
    columns: Array<{ column: string; purpose: string; legalBasis: string; retention: string }>;
    excludedColumns: Array<{ column: string; why: string }>;
  }>;
}

export interface Manifest {
  generatedAt: string;
  accountId: string;
  controller: string;
  about: string;
  complaint: string;
  datasets: ManifestDataset[];
}

/** How many rows an archive of the customer would hold: small archives are built at once. */
export async function countSubjectRows(
  repository: PrivacyRepository,
  inventory: Inventory,
  subject: SubjectKeys,
): Promise<number> {
  const existing = await repository.columnShapes();
  let rows = 0;
  for (const table of reachable(inventory, existing)) rows += await repository.countOf(table, subject);
  return rows;
}

function reachable(inventory: Inventory, existing: ReadonlyMap<string, unknown>): SubjectTable[] {
  return subjectTables(inventory).filter((t) => t.subjectKind !== "unlinkable" && existing.has(t.table));
}

/**
 * Builds the access archive (GDPR Art. 15 and 20): per dataset a JSON file and a CSV per table,
 * plus `manifest.json` saying for each dataset why it is held, on which basis, who receives it,
 * how long it is kept and where it came from. Secrets never go in (see {@link exportedColumns}).
 */
export async function buildAccessArchive(input: {
  repository: PrivacyRepository;
  inventory: Inventory;
  subject: SubjectKeys;
  generatedAt: string;
}): Promise<{ zip: Uint8Array; manifest: Manifest }> {
  const { repository, inventory, subject } = input;
  const existing = await repository.columnShapes();
  const tables = reachable(inventory, existing);
  const files: Record<string, Uint8Array> = {};
  const datasets: ManifestDataset[] = [];

  for (const name of datasetNames()) {
    const declared = DATASETS[name];
    const mine = tables.filter((t) => t.dataset === name);
    const entry: ManifestDataset = {
      name,
      title: declared.title,
      purpose: declared.purpose,
      status: "none held",
      rows: 0,
      files: [],
      purposes: [],
      legalBases: [],
      recipients: declared.recipients,
      retention: [],
      source: declared.source,
      tables: [],
    };
    const json: Record<string, Record<string, unknown>[]> = {};
    for (const table of mine) {
      const present = existing.get(table.table) as ReadonlyMap<string, unknown>;
      const columns = exportedColumns(table.declaration).filter((c) => present.has(c));
      // A table of secrets only (reset links, recovery codes) is named in the manifest, never shipped.
      const rows = columns.length > 0 ? await repository.rowsOf(table, subject, columns) : [];
      if (columns.length > 0) {
        json[table.table] = rows;
        const csvName = `${name}/${table.table}.csv`;
        files[csvName] = strToU8(
          stringify(
            rows.map((row) => columns.map((c) => csvValue(row[c]))),
            { header: true, columns },
          ),
        );
        entry.files.push(csvName);
        entry.rows += rows.length;
      }
      const decls = Object.entries(table.declaration.columns);
      entry.tables.push({
        table: table.table,
        describes: table.declaration.describes,
        rows: rows.length,
        columns: decls
          .filter(([c]) => columns.includes(c))
          .map(([column, d]) => ({
            column,
            purpose: d.purpose,
            legalBasis: LEGAL_BASIS_WORDS[d.legalBasis],
            retention: describeRetention(d.retention),
          })),
        excludedColumns: decls.flatMap(([column, d]) => {
          const why = exclusionReason(d);
          return why === undefined ? [] : [{ column, why }];
        }),
      });
      for (const [, d] of decls) {
        if (d.category === "none") continue;
        pushOnce(entry.purposes, d.purpose);
        pushOnce(entry.legalBases, LEGAL_BASIS_WORDS[d.legalBasis]);
        pushOnce(entry.retention, describeRetention(d.retention));
      }
    }
    if (entry.rows > 0) {
      entry.status = "included";
      const jsonName = `${name}/${name}.json`;
      files[jsonName] = strToU8(
        JSON.stringify({ dataset: name, title: declared.title, tables: json }, null, 2),
      );
      entry.files.unshift(jsonName);
    } else {
      // Nothing held: the manifest still lists the dataset, and no empty files are shipped.
      for (const file of entry.files) delete files[file];
      entry.files = [];
    }
    datasets.push(entry);
  }

  const manifest: Manifest = {
    generatedAt: input.generatedAt,
    accountId: subject.accountId,
    controller: "Zaqros, hello@zaqros.com",
    about:
      "Every personal data Zaqros holds about your account, per dataset: a JSON file and a CSV per table. Passwords, digest credentials (HA1), two-factor secrets and token hashes are never exported. Call content is never recorded.",
    complaint: COMPLAINT_RIGHT,
    datasets,
  };
  files["manifest.json"] = strToU8(JSON.stringify(manifest, null, 2));
  files["README.txt"] = strToU8(
    `Your Zaqros data, generated ${input.generatedAt}.\n\nmanifest.json says, per dataset, why Zaqros holds it, on which legal basis, who receives it, how long it is kept and where it came from.\n\n${COMPLAINT_RIGHT}\n`,
  );
  return { zip: zipSync(files, { level: 6, mtime: new Date(input.generatedAt) }), manifest };
}

function csvValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

function pushOnce(list: string[], value: string) {
  if (!list.includes(value)) list.push(value);
}
