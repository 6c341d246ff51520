import { type FormEvent, useEffect, useState } from "react";
import { Link } from "react-router";
import { api, apiUrl, messageOf, reauthenticate } from "../api.ts";
import { formatDate, formatDateTime } from "../format.ts";
import { EmptyState, ErrorMessage, Field, Loading, PageTitle, SuccessMessage } from "../ui.tsx";
import { useApi } from "../use-api.ts";

interface RequestEvent {
  at: string;
  actor: string;
  event: string;
  note: string | null;
}

interface PrivacyRequest {
  id: string;
  kind: string;
  status: string;
  receivedAt: string;
  dueAt: string;
  extendedAt: string | null;
  executeAfter: string | null;
  closedAt: string | null;
  details: string | null;
  history: RequestEvent[];
}

interface ExportInfo {
  id: string;
  status: "building" | "ready" | "failed" | "expired";
  createdAt: string;
  readyAt: string | null;
  expiresAt: string | null;
  sizeBytes: number | null;
}

interface ConsentState {
  purpose: string;
  title: string;
  version: string;
  text: string;
  given: boolean;
}

interface ConsentEntry {
  id: string;
  purpose: string;
  version: string;
  noticeText: string | null;
  givenAt: string;
  withdrawnAt: string | null;
  withdrawable: boolean;
}

interface Overview {
  preferences: { restrictedAt: string | null; objectedAt: string | null };
  consents: ConsentState[];
  consentLedger: ConsentEntry[];
  requests: PrivacyRequest[];
  exports: ExportInfo[];
  pendingErasure: PrivacyRequest | null;
  outstanding: { statements: string[] };
  erasureCoolingOffDays: number;
  complaint: string;
}

const KIND_WORDS: Record<string, string> = {
  access: "Copy of my data",
  erasure: "Erasure",
  restriction: "Restriction",
  objection: "Objection",
  rectification: "Correction",
  "child-report": "Child report",
};

const STATUS_WORDS: Record<string, string> = {
  received: "Received",
  "cooling-off": "Waiting (you can cancel)",
  "awaiting-confirmation": "Being checked",
  completed: "Done",
  cancelled: "Cancelled",
  refused: "Refused",
};

/**
 * Privacy: the rights of privacy policy §9 in one place. Download a copy of the data, correct
 * it, ask for erasure (and cancel it while it waits), restrict or object to non-essential
 * processing, give and withdraw consents, follow every request, and how to complain.
 */
export function PrivacyPage() {
  const overview = useApi<Overview>("/privacy/overview");
  return (
    <>
      <PageTitle lead="Your personal data, what Zaqros does with it, and your rights over it.">
        Privacy
      </PageTitle>
      {overview.loading && !overview.data ? <Loading what="your privacy settings" /> : null}
      <ErrorMessage error={overview.error} />
      {overview.data ? (
        <>
          <DownloadData exports={overview.data.exports} reload={overview.reload} />
          <CorrectData reload={overview.reload} />
          <Processing preferences={overview.data.preferences} reload={overview.reload} />
          <Consents
            states={overview.data.consents}
            ledger={overview.data.consentLedger}
            reload={overview.reload}
          />
          <Erasure overview={overview.data} reload={overview.reload} />
          <Requests requests={overview.data.requests} />
          <Complaint />
        </>
      ) : null}
    </>
  );
}

function useAction(reload: () => void) {
  const [error, setError] = useState<string>();
  const [message, setMessage] = useState<string>();
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<string | undefined>) => {
    setError(undefined);
    setMessage(undefined);
    setBusy(true);
    try {
      setMessage(await action());
      reload();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return { error, message, busy, run };
}

function DownloadData({ exports, reload }: { exports: ExportInfo[]; reload: () => void }) {
  const { error, message, busy, run } = useAction(reload);
  const prepare = () =>
    run(async () => {
      const result = await api<{ export: ExportInfo }>("/privacy/exports", { method: "POST", body: {} });
      return result.export.status === "ready"
        ? "Your archive is ready. Download it below."
        : "Your archive is large, so it is being prepared. We will email you when it is ready.";
    });
  return (
    <section className="card" aria-labelledby="download-heading">
      <h2 id="download-heading">Download a copy of your data</h2>
      <p>
        One ZIP file with everything Zaqros holds about you: your account, phones, registrations, call
        records, balance and payments, sign-ins, consents and requests. Each dataset comes as JSON and CSV,
        and <code>manifest.json</code> says why we hold it, on which legal basis, who receives it, how long we
        keep it and where it came from. Passwords and other secrets are never included.
      </p>
      <ErrorMessage error={error} />
      <SuccessMessage>{message}</SuccessMessage>
      <div className="actions">
        <button type="button" onClick={prepare} disabled={busy}>
          Prepare my data archive
        </button>
      </div>
      {exports.length === 0 ? null : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Your data archives</caption>
            <thead>
              <tr>
                <th scope="col">Asked for</th>
                <th scope="col">Status</th>
                <th scope="col">Download until</th>
                <th scope="col">
                  <span className="visually-hidden">Download</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {exports.map((e) => (
                <tr key={e.id}>
                  <td>{formatDateTime(e.createdAt)}</td>
                  <td>{exportStatus(e.status)}</td>
                  <td>{formatDateTime(e.expiresAt)}</td>
                  <td>
                    {e.status === "ready" ? (
                      <a
                        className="button secondary"
                        href={apiUrl(`/privacy/exports/${e.id}/archive`)}
                        download
                      >
                        Download ZIP
                        {e.sizeBytes ? ` (${Math.max(1, Math.round(e.sizeBytes / 1024))} KB)` : ""}
                      </a>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="hint">The download works only while you are signed in, and expires.</p>
    </section>
  );
}

function exportStatus(status: ExportInfo["status"]): string {
  return { building: "Being prepared", ready: "Ready", failed: "Failed", expired: "Expired" }[status];
}

function CorrectData({ reload }: { reload: () => void }) {
  const [details, setDetails] = useState("");
  const { error, message, busy, run } = useAction(reload);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    return run(async () => {
      await api("/privacy/rectification", { method: "POST", body: { details } });
      setDetails("");
      return "Thank you. Your request is listed under Your requests; we answer within a month.";
    });
  };
  return (
    <section className="card" aria-labelledby="correct-heading">
      <h2 id="correct-heading">Correct your data</h2>
      <p>
        Change your name, phone number and email address on your <Link to="/profile">Profile</Link> (a new
        email address is confirmed by a link sent to it). For anything else that is wrong, tell us here.
      </p>
      <ErrorMessage error={error} />
      <SuccessMessage>{message}</SuccessMessage>
      <form className="stack" onSubmit={submit}>
        <Field label="What is wrong, and what should it be?">
          {(p) => (
            <textarea
              {...p}
              name="rectification"
              rows={3}
              maxLength={4000}
              required
              value={details}
              onChange={(e) => setDetails(e.target.value)}
            />
          )}
        </Field>
        <div className="actions">
          <button type="submit" className="secondary" disabled={busy || details.trim() === ""}>
            Send correction request
          </button>
        </div>
      </form>
    </section>
  );
}

function Processing({ preferences, reload }: { preferences: Overview["preferences"]; reload: () => void }) {
  const { error, message, busy, run } = useAction(reload);
  // The box follows the click at once; the server's answer (on reload) has the last word.
  const [restricted, setRestricted] = useState(preferences.restrictedAt !== null);
  const [objected, setObjected] = useState(preferences.objectedAt !== null);
  useEffect(() => {
    setRestricted(preferences.restrictedAt !== null);
    setObjected(preferences.objectedAt !== null);
  }, [preferences.restrictedAt, preferences.objectedAt]);
  const toggle = (which: "restriction" | "objection", on: boolean) =>
    run(async () => {
      const show = which === "restriction" ? setRestricted : setObjected;
      show(on);
      await api(`/privacy/${which}`, { method: "PUT", body: { on } }).catch((e: unknown) => {
        show(!on);
        throw e;
      });
      return on
        ? "Done. Analytics and optional emails stop for your account at once; your service keeps running."
        : "Done.";
    });
  return (
    <section className="card" aria-labelledby="processing-heading">
      <h2 id="processing-heading">Restrict or object to processing</h2>
      <p>
        Either choice stops everything Zaqros does with your data that is not needed to run your service:
        usage analytics and optional emails. Calls, billing and service notices (outages, security, changes to
        our Terms or this Policy) go on as before.
      </p>
      <ErrorMessage error={error} />
      <SuccessMessage>{message}</SuccessMessage>
      <div className="stack">
        <div className="checkbox">
          <input
            id="privacy-restriction"
            name="restriction"
            type="checkbox"
            checked={restricted}
            disabled={busy}
            onChange={(e) => toggle("restriction", e.target.checked)}
          />
          <label htmlFor="privacy-restriction">
            Restrict processing of my data
            {preferences.restrictedAt ? ` (since ${formatDateTime(preferences.restrictedAt)})` : ""}. For
            example while you contest whether it is accurate.
          </label>
        </div>
        <div className="checkbox">
          <input
            id="privacy-objection"
            name="objection"
            type="checkbox"
            checked={objected}
            disabled={busy}
            onChange={(e) => toggle("objection", e.target.checked)}
          />
          <label htmlFor="privacy-objection">
            I object to analytics and optional emails based on Zaqros' legitimate interests
            {preferences.objectedAt ? ` (since ${formatDateTime(preferences.objectedAt)})` : ""}.
          </label>
        </div>
      </div>
    </section>
  );
}

function Consents({
  states,
  ledger,
  reload,
}: {
  states: ConsentState[];
  ledger: ConsentEntry[];
  reload: () => void;
}) {
  const { error, message, busy, run } = useAction(reload);
  const change = (purpose: string, give: boolean) =>
    run(async () => {
      await api(`/privacy/consents/${encodeURIComponent(purpose)}`, { method: give ? "POST" : "DELETE" });
      return give ? "Thank you; your consent is recorded." : "Withdrawn. It takes effect at once.";
    });
  return (
    <section className="card" aria-labelledby="consents-heading">
      <h2 id="consents-heading">Consents</h2>
      <p>
        Zaqros asks your consent only for these. You can withdraw it at any time; it takes effect at once.
      </p>
      <ErrorMessage error={error} />
      <SuccessMessage>{message}</SuccessMessage>
      <ul className="stack" aria-label="Consents you can give">
        {states.map((c) => (
          <li key={c.purpose} data-testid={`consent-${c.purpose}`}>
            <p>
              <strong>{c.title}</strong>{" "}
              {c.given ? (
                <span className="badge good">Given</span>
              ) : (
                <span className="badge neutral">Not given</span>
              )}
            </p>
            <p className="hint">
              {c.text} (version {c.version})
            </p>
            <div className="actions">
              {c.given ? (
                <button
                  type="button"
                  className="secondary"
                  disabled={busy}
                  onClick={() => change(c.purpose, false)}
                >
                  Withdraw consent: {c.title}
                </button>
              ) : (
                <button
                  type="button"
                  className="secondary"
                  disabled={busy}
                  onClick={() => change(c.purpose, true)}
                >
                  Give consent: {c.title}
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
      <h3>History</h3>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Consents given and withdrawn</caption>
          <thead>
            <tr>
              <th scope="col">What</th>
              <th scope="col">Version</th>
              <th scope="col">Given</th>
              <th scope="col">Withdrawn</th>
            </tr>
          </thead>
          <tbody>
            {ledger.map((e) => (
              <tr key={e.id}>
                <td>
                  {e.withdrawable
                    ? (states.find((c) => c.purpose === e.purpose)?.title ?? e.purpose)
                    : `${e.purpose === "terms" ? "Terms" : "Privacy Policy"} (accepted)`}
                </td>
                <td>{e.version}</td>
                <td>{formatDateTime(e.givenAt)}</td>
                <td>{e.withdrawable ? formatDateTime(e.withdrawnAt) : "Part of the contract"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Erasure({ overview, reload }: { overview: Overview; reload: () => void }) {
  const [understood, setUnderstood] = useState(false);
  const [password, setPassword] = useState("");
  const { error, message, busy, run } = useAction(reload);
  const pending = overview.pendingErasure;
  const request = (event: FormEvent) => {
    event.preventDefault();
    return run(async () => {
      await reauthenticate(password);
      await api("/privacy/erasure", { method: "POST", body: {} });
      setUnderstood(false);
      setPassword("");
      return "Your erasure request is recorded. We emailed you a confirmation.";
    });
  };
  const cancel = () =>
    run(async () => {
      await api("/privacy/erasure", { method: "DELETE" });
      return "Erasure cancelled. Your account stays as it is.";
    });
  return (
    <section className="card" aria-labelledby="erasure-heading">
      <h2 id="erasure-heading">Delete your account and data</h2>
      <ErrorMessage error={error} />
      <SuccessMessage>{message}</SuccessMessage>
      {pending ? (
        <div className="notice" data-testid="pending-erasure">
          <p>
            Your account will be erased after <strong>{formatDateTime(pending.executeAfter)}</strong>. Until
            then you can cancel.
          </p>
          <div className="actions">
            <button type="button" disabled={busy} onClick={cancel}>
              Cancel erasure
            </button>
          </div>
        </div>
      ) : (
        <form className="stack" onSubmit={request}>
          <p>
            Erasure closes your account: you can no longer sign in or make calls. It runs{" "}
            {overview.erasureCoolingOffDays} days after you ask, and you can cancel it until then. Everything
            is deleted except what the law makes us keep (billing records for accounting, tax and disputes);
            that is kept without anything that names you, and we tell you by email what was kept, why and
            until when.
          </p>
          {overview.outstanding.statements.map((s) => (
            <p key={s} className="notice">
              {s}
            </p>
          ))}
          <div className="checkbox">
            <input
              id="erasure-understood"
              name="understood"
              type="checkbox"
              checked={understood}
              onChange={(e) => setUnderstood(e.target.checked)}
            />
            <label htmlFor="erasure-understood">
              I understand my account will be closed and my data erased.
            </label>
          </div>
          <Field label="Your password, to confirm it is you">
            {(p) => (
              <input
                {...p}
                name="current-password"
                type="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            )}
          </Field>
          <div className="actions">
            <button type="submit" className="danger" disabled={busy || !understood || password === ""}>
              Request erasure
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

function Requests({ requests }: { requests: PrivacyRequest[] }) {
  return (
    <section className="card" aria-labelledby="requests-heading">
      <h2 id="requests-heading">Your requests</h2>
      {requests.length === 0 ? (
        <EmptyState title="No requests yet.">Whatever you ask for on this page is listed here.</EmptyState>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Your privacy requests</caption>
            <thead>
              <tr>
                <th scope="col">Request</th>
                <th scope="col">Received</th>
                <th scope="col">Answer due</th>
                <th scope="col">Status</th>
                <th scope="col">History</th>
              </tr>
            </thead>
            <tbody>
              {requests.map((r) => (
                <tr key={r.id}>
                  <td>{KIND_WORDS[r.kind] ?? r.kind}</td>
                  <td>{formatDateTime(r.receivedAt)}</td>
                  <td>
                    {formatDate(r.dueAt)}
                    {r.extendedAt ? " (extended)" : ""}
                  </td>
                  <td>{STATUS_WORDS[r.status] ?? r.status}</td>
                  <td>
                    <details>
                      <summary>{r.history.length === 1 ? "1 step" : `${r.history.length} steps`}</summary>
                      <ol>
                        {r.history.map((h) => (
                          <li key={`${h.at}-${h.event}-${h.actor}`}>
                            {formatDateTime(h.at)}: {h.event}
                            {h.note ? ` — ${h.note}` : ""}
                          </li>
                        ))}
                      </ol>
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Complaint() {
  return (
    <section className="card" aria-labelledby="complaint-heading">
      <h2 id="complaint-heading">Questions and complaints</h2>
      <p>
        Write to <a href="mailto:hello@zaqros.com">hello@zaqros.com</a> with any question about your data. We
        answer within a month; when a request needs longer, we tell you why.
      </p>
      <p data-testid="complaint-right">
        You have the right to lodge a complaint with a data-protection authority in your country. In the EU
        and EEA, the{" "}
        <a href="https://www.edpb.europa.eu/about-edpb/about-edpb/members_en" rel="noreferrer">
          European Data Protection Board lists every national authority
        </a>
        ; in the UK it is the{" "}
        <a href="https://ico.org.uk/make-a-complaint/" rel="noreferrer">
          Information Commissioner's Office
        </a>
        .
      </p>
    </section>
  );
}
