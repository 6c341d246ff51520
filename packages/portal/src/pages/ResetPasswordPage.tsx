import { type FormEvent, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api, messageOf } from "../api.ts";
import { ErrorMessage, Field, PageTitle, SuccessMessage } from "../ui.tsx";

/** Without a token: ask for a reset link. With the link's token: choose a new password. */
export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get("token");
  return token ? <ChooseNewPassword token={token} /> : <RequestLink />;
}

function RequestLink() {
  const [email, setEmail] = useState("");
  const [error, setError] = useState<string>();
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      await api("/auth/password-reset/request", { method: "POST", body: { email: email.trim() } });
      setSent(true);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card narrow">
      <PageTitle lead="We will email you a link to choose a new one.">Reset your password</PageTitle>
      <ErrorMessage error={error} />
      {sent ? (
        <SuccessMessage>
          If an account uses that address, a link is on its way. It works once, within 30 minutes.
        </SuccessMessage>
      ) : (
        <form className="stack" onSubmit={submit}>
          <Field label="Email">
            {(p) => (
              <input
                {...p}
                name="email"
                type="email"
                autoComplete="email"
                required
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            )}
          </Field>
          <div className="actions">
            <button type="submit" disabled={busy}>
              Send link
            </button>
            <Link to="/login">Back to sign in</Link>
          </div>
        </form>
      )}
    </section>
  );
}

function ChooseNewPassword({ token }: { token: string }) {
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [error, setError] = useState<string>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    if (password !== repeat) return setError("The two passwords are not the same.");
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) {
      return setError("This link is incomplete. Open it straight from the email.");
    }
    setBusy(true);
    try {
      await api("/auth/password-reset/confirm", { method: "POST", body: { token, password } });
      setDone(true);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card narrow">
      <PageTitle>Choose a new password</PageTitle>
      <ErrorMessage error={error} />
      {done ? (
        <>
          <SuccessMessage>Your password is changed. Sign in with the new one.</SuccessMessage>
          <p>
            <Link to="/login">Sign in</Link>
          </p>
        </>
      ) : (
        <form className="stack" onSubmit={submit}>
          <Field label="New password" hint="At least 8 characters.">
            {(p) => (
              <input
                {...p}
                name="password"
                type="password"
                autoComplete="new-password"
                required
                minLength={8}
                maxLength={128}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            )}
          </Field>
          <Field label="Repeat the new password">
            {(p) => (
              <input
                {...p}
                name="repeat"
                type="password"
                autoComplete="new-password"
                required
                value={repeat}
                onChange={(e) => setRepeat(e.target.value)}
              />
            )}
          </Field>
          <button type="submit" disabled={busy}>
            Set new password
          </button>
        </form>
      )}
    </section>
  );
}
