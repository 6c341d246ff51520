import { type FormEvent, useEffect, useRef, useState } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { ApiError, api, messageOf, setCsrfToken } from "../api.ts";
import { useSession } from "../session.tsx";
import { ErrorMessage, Field, PageTitle } from "../ui.tsx";

/** Only paths inside the portal, never another site (`//evil.example`). */
function safeNext(next: string | null): string {
  return next?.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";
}

/** Sign in with email and password, then the authenticator code when two-factor is on. */
export function LoginPage() {
  const { me, refresh } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [needsCode, setNeedsCode] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const codeInput = useRef<HTMLInputElement>(null);

  // The second step takes the keyboard straight to the code field.
  useEffect(() => {
    if (needsCode) codeInput.current?.focus();
  }, [needsCode]);

  if (me) return <Navigate to={next} replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      const body: Record<string, string> = { email: email.trim(), password };
      if (needsCode) body.totp = code.trim();
      const opened = await api<{ csrfToken: string }>("/auth/login", {
        method: "POST",
        body,
        quiet401: true,
      });
      setCsrfToken(opened.csrfToken);
      await refresh();
      navigate(next, { replace: true });
    } catch (e) {
      if (e instanceof ApiError && e.code === "IDENTITY.TWO_FACTOR_REQUIRED") {
        setNeedsCode(true);
      } else {
        setError(messageOf(e));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card narrow">
      <PageTitle lead={needsCode ? "Two-factor sign-in is on for this account." : undefined}>
        {needsCode ? "Enter your code" : "Sign in"}
      </PageTitle>
      <ErrorMessage error={error} />
      <form className="stack" onSubmit={submit}>
        {needsCode ? (
          <Field
            label="Authentication code"
            hint="The 6-digit code from your authenticator app, or one of your recovery codes."
          >
            {(p) => (
              <input
                {...p}
                ref={codeInput}
                name="totp"
                inputMode="numeric"
                autoComplete="one-time-code"
                required
                maxLength={32}
                value={code}
                onChange={(e) => setCode(e.target.value)}
              />
            )}
          </Field>
        ) : (
          <>
            <Field label="Email">
              {(p) => (
                <input
                  {...p}
                  name="email"
                  type="email"
                  autoComplete="username"
                  required
                  value={email}
                  onChange={(e) => setEmail(e.target.value)}
                />
              )}
            </Field>
            <Field label="Password">
              {(p) => (
                <input
                  {...p}
                  name="password"
                  type="password"
                  autoComplete="current-password"
                  required
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                />
              )}
            </Field>
          </>
        )}
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? "Signing in…" : needsCode ? "Verify and sign in" : "Sign in"}
          </button>
          {needsCode ? (
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setNeedsCode(false);
                setCode("");
              }}
            >
              Back
            </button>
          ) : (
            <Link to="/reset-password">Forgot your password?</Link>
          )}
        </div>
      </form>
      {needsCode ? null : (
        <p>
          New to Zaqros? <Link to="/signup">Create an account</Link>
        </p>
      )}
    </section>
  );
}
