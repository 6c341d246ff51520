import type { Command } from "commander";
import type { Config } from "../config/config.ts";
import type { PrivacyRequest } from "../domains/privacy/privacy.types.ts";
import { openServices } from "../main/compose.ts";
import { emit } from "./output.ts";

const STATUSES = ["received", "cooling-off", "awaiting-confirmation", "completed", "cancelled", "refused"];
const KINDS = ["access", "erasure", "restriction", "objection", "rectification", "child-report"];

function line(r: PrivacyRequest & { overdue?: boolean }): string {
  const due = `${r.dueAt.slice(0, 10)}${r.extendedAt ? " (extended)" : ""}${r.overdue ? " OVERDUE" : ""}`;
  return `${r.id}  ${r.kind.padEnd(13)} ${r.status.padEnd(21)} received ${r.receivedAt.slice(0, 10)}  due ${due}`;
}

/**
 * `zaqros privacy`: the staff side of data-subject requests from the operator's shell, beside the
 * staff API. Steps that change a request name the staff member (`--staff`), kept in its history.
 */
export function registerPrivacyCommands(program: Command, config: () => Config): void {
  const privacy = program.command("privacy").description("Data-subject requests (privacy policy §9)");

  const withServices = async <T>(
    work: (services: Awaited<ReturnType<typeof openServices>>["services"]) => Promise<T>,
  ) => {
    const { services, close } = await openServices(config());
    try {
      return await work(services);
    } finally {
      await close();
    }
  };

  privacy
    .command("requests")
    .description("List requests with due dates, oldest due first")
    .option("--status <status>", `one of ${STATUSES.join(", ")}`)
    .option("--kind <kind>", `one of ${KINDS.join(", ")}`)
    .option("--json", "machine-readable output")
    .action(async (o: { status?: string; kind?: string; json?: boolean }) => {
      if (o.status !== undefined && !STATUSES.includes(o.status)) {
        throw new Error(`--status must be one of ${STATUSES.join(", ")}, not "${o.status}"`);
      }
      if (o.kind !== undefined && !KINDS.includes(o.kind)) {
        throw new Error(`--kind must be one of ${KINDS.join(", ")}, not "${o.kind}"`);
      }
      const requests = await withServices((s) =>
        s.privacy.listRequests({
          ...(o.status ? { status: o.status } : {}),
          ...(o.kind ? { kind: o.kind } : {}),
        }),
      );
      emit(Boolean(o.json), { requests }, () =>
        requests.length === 0 ? "No requests." : requests.map(line).join("\n"),
      );
    });

  privacy
    .command("show <id>")
    .description("One request with its history")
    .option("--json", "machine-readable output")
    .action(async (id: string, o: { json?: boolean }) => {
      const request = await withServices((s) => s.privacy.getRequest(id));
      emit(Boolean(o.json), { request }, () =>
        [
          line(request),
          ...(request.details ? [`  details: ${request.details}`] : []),
          ...request.history.map((h) => `  ${h.at}  ${h.actor}  ${h.event}${h.note ? `: ${h.note}` : ""}`),
        ].join("\n"),
      );
    });

  const step = (name: string, description: string, textOption: "reason" | "note") =>
    privacy
      .command(`${name} <id>`)
      .description(description)
      .requiredOption("--staff <name>", "who takes the step (kept in the request's history)")
      .requiredOption(
        `--${textOption} <text>`,
        textOption === "reason" ? "why; the customer is told" : "what was done",
      )
      .option("--json", "machine-readable output");

  const act =
    (
      action: (
        s: Awaited<ReturnType<typeof openServices>>["services"],
        id: string,
        staff: string,
        text: string,
      ) => Promise<PrivacyRequest>,
    ) =>
    async (id: string, o: { staff: string; reason?: string; note?: string; json?: boolean }) => {
      const request = await withServices((s) => action(s, id, o.staff, o.reason ?? o.note ?? ""));
      emit(Boolean(o.json), { request }, () => line(request));
    };

  step("extend", "Extend the deadline by two months and mail the customer why", "reason").action(
    act((s, id, staff, text) => s.privacy.extendDeadline(id, staff, text)),
  );
  step("complete", "Mark a request done (e.g. a correction made)", "note").action(
    act((s, id, staff, text) => s.privacy.completeRequest(id, staff, text)),
  );
  step("refuse", "Refuse a request, saying why", "reason").action(
    act((s, id, staff, text) => s.privacy.refuseRequest(id, staff, text)),
  );
  step("confirm-child", "Confirm a child report: suspend the account and erase it", "note").action(
    act((s, id, staff, text) => s.privacy.confirmChildReport(id, staff, text)),
  );

  privacy
    .command("run")
    .description(
      "Run due work now: erasures past their cooling-off, archives left building, expired downloads",
    )
    .option("--json", "machine-readable output")
    .action(async (o: { json?: boolean }) => {
      const outcome = await withServices((s) => s.privacy.runDue());
      emit(
        Boolean(o.json),
        outcome,
        () =>
          `Erased ${outcome.erased} account(s), built ${outcome.exportsBuilt} archive(s), dropped ${outcome.archivesDropped} expired archive(s).`,
      );
    });
}
