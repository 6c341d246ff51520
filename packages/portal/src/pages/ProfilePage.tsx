import { type FormEvent, useEffect, useState } from "react";
import { ApiError, api, messageOf, reauthenticate } from "../api.ts";
import { formatDateTime } from "../format.ts";
import { useSession } from "../session.tsx";
import type { Account } from "../types.ts";
import { ErrorMessage, Field, Loading, PageTitle, SuccessMessage } from "../ui.tsx";
import { useApi } from "../use-api.ts";

/** Profile: see and correct name, phone and email. */
export function ProfilePage() {
  const account = useApi<Account>("/account");
  return (
    <>
      <PageTitle lead="The details on your account. Keep them correct; you can change them any time.">
        Profile
      </PageTitle>
      <ErrorMessage error={account.error} />
      {account.loading && !account.data ? <Loading what="your profile" /> : null}
      {account.data ? (
        <>
          <Details account={account.data} onSaved={account.reload} />
          <EmailChange current={account.data.email} />
        </>
      ) : null}
    </>
  );
}

function Details({ account, onSaved }: { account: Account; onSaved: () => void }) {
  const { refresh } = useSession();
  const [name, setName] = useState(account.name);
  const [phone, setPhone] = useState(account.phone ?? "");
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setName(account.name);
    setPhone(account.phone ?? "");
  }, [account]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setSaved(false);
    if (!name.trim()) return setError("Your name cannot be empty.");
    const number = phone.trim();
    if (number && !/^\+?[\d\s().-]{4,32}$/.test(number)) {
      return setError(
        "A phone number holds digits, and a leading + with the country code for numbers abroad.",
      );
    }
    setBusy(true);
    try {
      await api("/account", { method: "PATCH", body: { name: name.trim(), phone: number || null } });
      setSaved(true);
      onSaved();
      refresh().catch(() => undefined);
    } catch (e) {
      setError(
        e instanceof ApiError && (e.status === 404 || e.status === 405)
          ? "Correcting your name and phone here is not available yet. Please contact support."
          : messageOf(e),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="details-heading">
      <h2 id="details-heading">Your details</h2>
      <dl className="facts">
        <dt>Account since</dt>
        <dd>{formatDateTime(account.createdAt)}</dd>
        <dt>Country</dt>
        <dd>{account.country}</dd>
        <dt>Currency</dt>
        <dd>{account.currency}</dd>
      </dl>
      <ErrorMessage error={error} />
      <SuccessMessage>{saved ? "Your details are saved." : null}</SuccessMessage>
      <form className="stack" onSubmit={submit}>
        <Field label="Full name">
          {(p) => (
            <input
              {...p}
              name="name"
              autoComplete="name"
              maxLength={200}
              required
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          )}
        </Field>
        <Field
          label="Mobile phone"
          hint="With the country code, e.g. +33 1 42 68 53 00. Leave empty to remove it."
        >
          {(p) => (
            <input
              {...p}
              name="phone"
              type="tel"
              autoComplete="tel"
              value={phone}
              onChange={(e) => setPhone(e.target.value)}
            />
          )}
        </Field>
        <div className="actions">
          <button type="submit" disabled={busy}>
            Save details
          </button>
        </div>
      </form>
    </section>
  );
}

function EmailChange({ current }: { current: string }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const [sentTo, setSentTo] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setSentTo(undefined);
    setBusy(true);
    try {
      await reauthenticate(password);
      await api("/auth/email", { method: "POST", body: { email: email.trim() } });
      setSentTo(email.trim());
      setEmail("");
      setPassword("");
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="email-heading">
      <h2 id="email-heading">Email address</h2>
      <p>
        Now: <strong>{current}</strong>
      </p>
      <ErrorMessage error={error} />
      <SuccessMessage>
        {sentTo
          ? `We sent a link to ${sentTo}. Your email changes when you open it; until then the old one stays.`
          : null}
      </SuccessMessage>
      <form className="stack" onSubmit={submit}>
        <Field label="New email">
          {(p) => (
            <input
              {...p}
              name="new-email"
              type="email"
              autoComplete="email"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          )}
        </Field>
        <Field label="Current password" hint="To make sure it is you.">
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
          <button type="submit" disabled={busy}>
            Change email
          </button>
        </div>
      </form>
    </section>
  );
}
