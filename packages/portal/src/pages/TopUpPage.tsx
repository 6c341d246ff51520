import { type FormEvent, useState } from "react";
import { useSearchParams } from "react-router";
import { api, messageOf } from "../api.ts";
import { formatDateTime, formatMoney } from "../format.ts";
import type { Balance } from "../types.ts";
import { EmptyState, ErrorMessage, Field, Loading, PageTitle, SuccessMessage } from "../ui.tsx";
import { useApi } from "../use-api.ts";

type TopUpStatus =
  | "created"
  | "pending"
  | "completed"
  | "denied"
  | "cancelled"
  | "failed"
  | "flagged"
  | "partially_refunded"
  | "refunded"
  | "reversed";

interface TopUp {
  id: string;
  status: TopUpStatus;
  amount: number;
  currency: string;
  formatted: string;
  refundedAmount: number;
  paypalReference: string | null;
  createdAt: string;
  completedAt: string | null;
}

interface TopUpSettings {
  configured: boolean;
  currency: string;
  minimum: string;
  maximum: string;
  dailyLimit: string;
  remainingToday: string;
}

const STATUS: Record<TopUpStatus, { label: string; tone: "good" | "bad" | "neutral" }> = {
  created: { label: "Awaiting PayPal", tone: "neutral" },
  pending: { label: "Pending at PayPal", tone: "neutral" },
  completed: { label: "Completed", tone: "good" },
  denied: { label: "Declined", tone: "bad" },
  cancelled: { label: "Cancelled", tone: "neutral" },
  failed: { label: "Failed", tone: "bad" },
  flagged: { label: "Under review", tone: "bad" },
  partially_refunded: { label: "Partly refunded", tone: "neutral" },
  refunded: { label: "Refunded", tone: "neutral" },
  reversed: { label: "Reversed", tone: "bad" },
};

/** What the customer is told on coming back from PayPal (`?result=` set by the server). */
const RESULT: Record<string, { ok: boolean; text: string }> = {
  completed: { ok: true, text: "Thank you: the payment is complete and your balance has been topped up." },
  pending: {
    ok: true,
    text: "PayPal is still processing the payment. Your balance rises as soon as it clears.",
  },
  cancelled: { ok: false, text: "You cancelled at PayPal. Nothing was charged." },
  denied: { ok: false, text: "PayPal declined the payment. Nothing was charged; try another way to pay." },
  flagged: {
    ok: false,
    text: "PayPal took a different amount than the one asked for, so our staff will check the payment before it counts. Nothing was added to your balance yet.",
  },
  "not-approved": { ok: false, text: "The payment was not approved at PayPal. Nothing was charged." },
  unknown: { ok: false, text: "That PayPal link does not match a top-up of yours." },
  error: {
    ok: false,
    text: "PayPal could not be reached to finish the payment. If PayPal charged you, your balance is topped up as soon as PayPal tells us.",
  },
};

/** Top-up: add prepaid credit through PayPal, and see every top-up with its status. */
export function TopUpPage() {
  const settings = useApi<TopUpSettings>("/topups/settings");
  const topUps = useApi<{ items: TopUp[] }>("/topups");
  const balance = useApi<Balance>("/balance");
  const [params] = useSearchParams();
  const [amount, setAmount] = useState("10.00");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const result = RESULT[params.get("result") ?? ""];
  const config = settings.data;

  const start = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    const text = amount.trim();
    if (!/^\d{1,9}(\.\d{1,2})?$/.test(text)) {
      return setError("Enter the amount as a number such as 10 or 10.00.");
    }
    setBusy(true);
    try {
      const started = await api<{ approveUrl: string }>("/topups", {
        method: "POST",
        body: { amount: text },
      });
      // Off to PayPal; PayPal sends the browser back to the server, which returns here.
      window.location.assign(started.approveUrl);
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  };

  const list = topUps.data?.items ?? [];

  return (
    <>
      <PageTitle lead="Add prepaid credit to your balance with PayPal.">Top up</PageTitle>
      {result ? (
        result.ok ? (
          <SuccessMessage>{result.text}</SuccessMessage>
        ) : (
          <p className="message error" role="alert" data-testid="topup-result">
            {result.text}
          </p>
        )
      ) : null}
      <ErrorMessage error={settings.error ?? topUps.error} />

      <section className="card" aria-labelledby="topup-heading">
        <h2 id="topup-heading">Add credit</h2>
        <p>
          Balance:{" "}
          <strong data-testid="topup-balance">
            {balance.data ? formatMoney(balance.data.balance, balance.data.currency) : "…"}
          </strong>
        </p>
        {settings.loading && !config ? <Loading what="payment settings" /> : null}
        {config && !config.configured ? (
          <p className="notice" data-testid="payments-not-configured">
            Payments are not configured on this server, so the balance cannot be topped up here yet. Please
            contact the operator.
          </p>
        ) : null}
        {config?.configured ? (
          <form className="stack" onSubmit={start}>
            <Field
              label={`Amount (${config.currency})`}
              hint={`From ${config.minimum} to ${config.maximum} ${config.currency}; up to ${config.remainingToday} more today (daily limit ${config.dailyLimit}).`}
            >
              {(p) => (
                <input
                  {...p}
                  name="amount"
                  inputMode="decimal"
                  autoComplete="off"
                  maxLength={13}
                  required
                  value={amount}
                  onChange={(e) => setAmount(e.target.value)}
                />
              )}
            </Field>
            <ErrorMessage error={error} />
            <div className="actions">
              <button type="submit" disabled={busy}>
                {busy ? "Going to PayPal…" : "Pay with PayPal"}
              </button>
            </div>
            <p className="hint">
              You approve the payment at PayPal. Zaqros keeps only PayPal's reference, the amount, the
              currency and the status; never your card or PayPal details.
            </p>
          </form>
        ) : null}
      </section>

      <section className="card" aria-labelledby="topups-heading">
        <h2 id="topups-heading">Your top-ups</h2>
        {topUps.loading && !topUps.data ? <Loading what="top-ups" /> : null}
        {topUps.data && list.length === 0 ? (
          <EmptyState title="No top-ups yet">
            <p>Top-ups you make appear here with their status and PayPal reference.</p>
          </EmptyState>
        ) : null}
        {list.length > 0 ? (
          <div className="table-wrap">
            <table data-testid="topups">
              <caption className="visually-hidden">Your top-ups, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Started</th>
                  <th scope="col">Amount</th>
                  <th scope="col">Status</th>
                  <th scope="col">Completed</th>
                  <th scope="col">PayPal reference</th>
                </tr>
              </thead>
              <tbody>
                {list.map((topUp) => (
                  <tr key={topUp.id}>
                    <td>{formatDateTime(topUp.createdAt)}</td>
                    <td>
                      {topUp.formatted} {topUp.currency}
                      {topUp.refundedAmount > 0 ? (
                        <span className="hint">
                          {" "}
                          ({formatMoney(topUp.refundedAmount, topUp.currency)} refunded)
                        </span>
                      ) : null}
                    </td>
                    <td>
                      <span className={`badge ${STATUS[topUp.status].tone}`}>
                        {STATUS[topUp.status].label}
                      </span>
                    </td>
                    <td>{formatDateTime(topUp.completedAt)}</td>
                    <td>{topUp.paypalReference ? <code>{topUp.paypalReference}</code> : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </>
  );
}
