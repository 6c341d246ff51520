import { type FormEvent, useState } from "react";
import { ApiError, api, messageOf } from "../api.ts";
import { formatMoney } from "../format.ts";
import type { Rate } from "../types.ts";
import { ErrorMessage, Field, PageTitle } from "../ui.tsx";

/** The price to call a number now, on the account's plan. */
export function RatesPage() {
  const [number, setNumber] = useState("");
  const [rate, setRate] = useState<Rate>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setRate(undefined);
    let e164 = number.replace(/[\s().-]/g, "");
    if (e164.startsWith("00")) e164 = `+${e164.slice(2)}`;
    if (!/^\+[1-9]\d{6,14}$/.test(e164)) {
      return setError("Enter the number in international form, starting with + and the country code.");
    }
    setBusy(true);
    try {
      setRate(await api<Rate>("/rates", { query: { number: e164 } }));
    } catch (e) {
      if (e instanceof ApiError && (e.code === "RATING.NO_RATE" || e.code === "ROUTING.NO_ROUTE")) {
        setError(`Calls to ${e164} are not possible on your plan at the moment.`);
      } else if (e instanceof ApiError && e.code === "RATING.NO_PLAN") {
        setError("Your account has no price plan yet, so calls are not possible. Please contact support.");
      } else {
        setError(messageOf(e));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageTitle lead="What a call costs, before you make it.">Rates</PageTitle>
      <section className="card narrow">
        <form className="stack" onSubmit={submit}>
          <Field label="Number to call" hint="International form, e.g. +44 20 7946 0000.">
            {(p) => (
              <input
                {...p}
                name="number"
                type="tel"
                inputMode="tel"
                required
                maxLength={40}
                value={number}
                onChange={(e) => setNumber(e.target.value)}
              />
            )}
          </Field>
          <button type="submit" disabled={busy}>
            Check price
          </button>
        </form>
        <ErrorMessage error={error} />
        {rate ? (
          <div aria-live="polite">
            <h2>
              {rate.number}
              {rate.prefix ? <span className="hint"> (rate for {rate.prefix}…)</span> : null}
            </h2>
            <dl className="facts">
              <dt>Per minute</dt>
              <dd data-testid="price-per-minute">{formatMoney(rate.pricePerMinute, rate.currency)}</dd>
              <dt>Connection fee</dt>
              <dd>{formatMoney(rate.connectFee, rate.currency)}</dd>
              <dt>Billing</dt>
              <dd>
                First {rate.initialIncrement} s, then every {rate.subsequentIncrement} s
              </dd>
              <dt>Minimum charge</dt>
              <dd>{formatMoney(rate.minimumCharge, rate.currency)}</dd>
            </dl>
          </div>
        ) : null}
      </section>
    </>
  );
}
