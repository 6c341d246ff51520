import { type FormEvent, useEffect, useMemo, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { apiUrl } from "../api.ts";
import { CallsTable } from "../components/CallsTable.tsx";
import type { Cdr, Page } from "../types.ts";
import { EmptyState, ErrorMessage, Field, Loading, PageTitle } from "../ui.tsx";
import { useApi } from "../use-api.ts";

const PAGE_SIZE = 25;

interface Filters {
  from: string;
  to: string;
  number: string;
  status: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/** The filters as the API's query, or the first thing wrong with them in words. */
function toQuery(filters: Filters): { query: Record<string, string> } | { problem: string } {
  const query: Record<string, string> = {};
  if (filters.from) {
    if (!isDate(filters.from))
      return { problem: "The “From” date is not a date. Use the date picker or YYYY-MM-DD." };
    query.from = `${filters.from}T00:00:00.000Z`;
  }
  if (filters.to) {
    if (!isDate(filters.to))
      return { problem: "The “To” date is not a date. Use the date picker or YYYY-MM-DD." };
    const next = new Date(`${filters.to}T00:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    query.to = next.toISOString();
  }
  if (query.from && query.to && query.from >= query.to) {
    return { problem: "The “From” date must be on or before the “To” date." };
  }
  const number = filters.number.replace(/[\s().-]/g, "");
  if (number) {
    if (!/^\+?[0-9A-Za-z*#]{1,32}$/.test(number)) {
      return { problem: "A number may hold digits and a leading +, e.g. +442079460000." };
    }
    query.number = number;
  }
  if (filters.status) {
    if (filters.status !== "answered" && filters.status !== "unanswered") {
      return { problem: "Choose a status from the list." };
    }
    query.status = filters.status;
  }
  return { query };
}

/** The filters an address holds. */
function filtersIn(params: URLSearchParams): Filters {
  return {
    from: params.get("from") ?? "",
    to: params.get("to") ?? "",
    number: params.get("number") ?? "",
    status: params.get("status") ?? "",
  };
}

/** Call records with date, number and status filters (kept in the address), pages, and CSV download. */
export function CallsPage() {
  const [params, setParams] = useSearchParams();
  const applied = filtersIn(params);
  const appliedKey = JSON.stringify(applied);
  const [draft, setDraft] = useState<Filters>(applied);
  // Cursors of the pages before the current one; the current page's cursor is the last.
  const [cursors, setCursors] = useState<string[]>([]);

  // The filters this form just applied: their arrival in the address must not reset the form,
  // which the customer may already be changing again.
  const submitted = useRef<string | undefined>(undefined);

  // A new filter starts again at the first page. Filters that come from elsewhere (Clear, the
  // browser's back and forward) are shown in the form.
  useEffect(() => {
    if (appliedKey !== submitted.current) setDraft(JSON.parse(appliedKey));
    submitted.current = undefined;
    setCursors([]);
  }, [appliedKey]);

  const checked = useMemo(() => toQuery(JSON.parse(appliedKey) as Filters), [appliedKey]);
  const query = "query" in checked ? checked.query : undefined;
  const cursor = cursors[cursors.length - 1];
  const page = useApi<Page<Cdr>>(query ? "/cdrs" : null, { ...query, limit: PAGE_SIZE, cursor });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [key, value] of Object.entries(draft)) if (value.trim()) next.set(key, value.trim());
    submitted.current = JSON.stringify(filtersIn(next));
    setParams(next);
  };

  const clear = () => setParams(new URLSearchParams());
  const filtered = Object.values(applied).some(Boolean);
  const csvHref = query ? apiUrl("/cdrs.csv", query) : undefined;

  return (
    <>
      <PageTitle lead="Every call you made or received, with its cost. Times are UTC.">Calls</PageTitle>
      <form className="card" onSubmit={submit} aria-label="Filter calls">
        <div className="filters">
          <Field label="From">
            {(p) => (
              <input
                {...p}
                name="from"
                type="date"
                value={draft.from}
                onChange={(e) => setDraft({ ...draft, from: e.target.value })}
              />
            )}
          </Field>
          <Field label="To">
            {(p) => (
              <input
                {...p}
                name="to"
                type="date"
                value={draft.to}
                onChange={(e) => setDraft({ ...draft, to: e.target.value })}
              />
            )}
          </Field>
          <Field label="Number">
            {(p) => (
              <input
                {...p}
                name="number"
                type="search"
                inputMode="tel"
                placeholder="+442079460000"
                maxLength={40}
                value={draft.number}
                onChange={(e) => setDraft({ ...draft, number: e.target.value })}
              />
            )}
          </Field>
          <Field label="Status">
            {(p) => (
              <select
                {...p}
                name="status"
                value={draft.status}
                onChange={(e) => setDraft({ ...draft, status: e.target.value })}
              >
                <option value="">All calls</option>
                <option value="answered">Answered</option>
                <option value="unanswered">Not answered</option>
              </select>
            )}
          </Field>
          <div className="actions">
            <button type="submit">Apply filters</button>
            {filtered ? (
              <button type="button" className="secondary" onClick={clear}>
                Clear
              </button>
            ) : null}
          </div>
        </div>
      </form>

      <ErrorMessage error={"problem" in checked ? checked.problem : page.error} />
      {query && page.loading && !page.data ? <Loading what="calls" /> : null}

      {query && page.data ? (
        page.data.items.length === 0 && cursors.length === 0 && !page.data.nextCursor ? (
          <EmptyState title={filtered ? "No calls match these filters" : "No calls yet"}>
            {filtered ? (
              <p>Try a wider date range or clear the filters.</p>
            ) : (
              <p>
                Calls appear here as soon as they end. <Link to="/phones">Set up a phone</Link> to start.
              </p>
            )}
          </EmptyState>
        ) : (
          <>
            {page.data.items.length > 0 ? (
              <CallsTable calls={page.data.items} caption="Calls" />
            ) : (
              <p className="notice">
                No matching calls in this stretch of records. Older ones may hold some.
              </p>
            )}
            <div className="pager">
              <button
                type="button"
                className="secondary"
                disabled={cursors.length === 0}
                onClick={() => setCursors((c) => c.slice(0, -1))}
              >
                Newer calls
              </button>
              {csvHref ? (
                <a className="button secondary" href={csvHref} download="calls.csv">
                  Download CSV
                </a>
              ) : null}
              <button
                type="button"
                className="secondary"
                disabled={!page.data.nextCursor}
                onClick={() => {
                  const next = page.data?.nextCursor;
                  if (next) setCursors((c) => [...c, next]);
                }}
              >
                Older calls
              </button>
            </div>
          </>
        )
      ) : null}
    </>
  );
}
