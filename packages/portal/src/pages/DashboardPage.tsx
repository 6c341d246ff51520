import { useEffect, useState } from "react";
import { Link } from "react-router";
import { api, messageOf } from "../api.ts";
import { CallsTable } from "../components/CallsTable.tsx";
import { type DaySpend, SpendChart } from "../components/SpendChart.tsx";
import { formatMoney } from "../format.ts";
import { useSession } from "../session.tsx";
import type { Balance, Cdr, Page } from "../types.ts";
import { EmptyState, ErrorMessage, Loading, PageTitle } from "../ui.tsx";
import { useApi } from "../use-api.ts";

/** Pages of 1,000 records read for this month's spend; a month with more shows a partial figure. */
const MAX_PAGES = 20;

interface MonthSpend {
  days: DaySpend[];
  total: number;
  complete: boolean;
}

/** Every day of the current UTC month with the cost of the calls that started on it. */
async function spendThisMonth(now: Date): Promise<MonthSpend> {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const daysInMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0)).getUTCDate();
  const byDay = new Map<string, number>();
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await api<Page<Cdr>>("/cdrs", {
      query: { from: start.toISOString(), limit: 1000, cursor },
    });
    for (const call of page.items) {
      const day = call.startedAt.slice(0, 10);
      byDay.set(day, (byDay.get(day) ?? 0) + call.cost);
    }
    cursor = page.nextCursor ?? undefined;
    pages++;
  } while (cursor && pages < MAX_PAGES);
  const days: DaySpend[] = [];
  for (let d = 1; d <= daysInMonth; d++) {
    const day = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), d)).toISOString().slice(0, 10);
    days.push({ day, cost: byDay.get(day) ?? 0 });
  }
  return { days, total: days.reduce((sum, d) => sum + d.cost, 0), complete: cursor === undefined };
}

export function DashboardPage() {
  const { me } = useSession();
  const balance = useApi<Balance>("/balance");
  const recent = useApi<Page<Cdr>>("/cdrs", { limit: 5 });
  const [spend, setSpend] = useState<MonthSpend>();
  const [spendError, setSpendError] = useState<string>();

  useEffect(() => {
    spendThisMonth(new Date())
      .then(setSpend)
      .catch((e) => setSpendError(messageOf(e)));
  }, []);

  const currency = balance.data?.currency ?? recent.data?.items[0]?.currency ?? "";
  const monthName = new Date().toLocaleString("en-GB", { month: "long", timeZone: "UTC" });

  return (
    <>
      <PageTitle lead={me ? `Welcome back, ${me.name}.` : undefined}>Dashboard</PageTitle>
      {me && !me.emailVerifiedAt ? (
        <p className="notice" role="status">
          Please confirm your email address with the link we sent you. Calls are possible once it is
          confirmed.
        </p>
      ) : null}
      <div className="grid">
        <div className="stat">
          <p className="stat-label">Balance</p>
          <p className="stat-value" data-testid="balance">
            {balance.data
              ? formatMoney(balance.data.balance, balance.data.currency)
              : balance.error
                ? "—"
                : "…"}
          </p>
          <Link to="/top-up">Top up</Link>
        </div>
        <div className="stat">
          <p className="stat-label">Spent in {monthName}</p>
          <p className="stat-value" data-testid="month-spend">
            {spend ? formatMoney(spend.total, currency || "") : spendError ? "—" : "…"}
          </p>
          <Link to="/calls">See calls</Link>
        </div>
      </div>
      <ErrorMessage error={balance.error ?? spendError} />

      <section className="card" aria-labelledby="spend-heading">
        <h2 id="spend-heading">Spend per day</h2>
        {spend ? (
          spend.total === 0 ? (
            <EmptyState title="No spend this month yet">Calls you make show up here by day.</EmptyState>
          ) : (
            <>
              <SpendChart days={spend.days} currency={currency} />
              {spend.complete ? null : <p className="hint">Showing the first 20,000 calls of the month.</p>}
            </>
          )
        ) : spendError ? null : (
          <Loading what="spend" />
        )}
      </section>

      <section className="card" aria-labelledby="recent-heading">
        <h2 id="recent-heading">Recent calls</h2>
        <ErrorMessage error={recent.error} />
        {recent.loading && !recent.data ? <Loading what="calls" /> : null}
        {recent.data && recent.data.items.length === 0 ? (
          <EmptyState title="No calls yet">
            <p>
              <Link to="/phones">Set up a phone</Link> to make your first call.
            </p>
          </EmptyState>
        ) : null}
        {recent.data && recent.data.items.length > 0 ? (
          <>
            <CallsTable calls={recent.data.items} caption="Your five most recent calls" />
            <p>
              <Link to="/calls">All calls</Link>
            </p>
          </>
        ) : null}
      </section>
    </>
  );
}
