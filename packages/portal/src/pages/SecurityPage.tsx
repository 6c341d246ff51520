import { type FormEvent, useState } from "react";
import { api, messageOf, reauthenticate } from "../api.ts";
import { formatDateTime } from "../format.ts";
import { useSession } from "../session.tsx";
import type { ActivityEntry, SessionView } from "../types.ts";
import { EmptyState, ErrorMessage, Field, Loading, PageTitle, SuccessMessage } from "../ui.tsx";
import { useApi } from "../use-api.ts";

/** Security: password, two-factor sign-in, sessions (end any), recent sign-ins and API use. */
export function SecurityPage() {
  return (
    <>
      <PageTitle lead="Keep your account yours.">Security</PageTitle>
      <TwoFactor />
      <ChangePassword />
      <Sessions />
      <Activity />
    </>
  );
}

function PasswordField({
  value,
  onChange,
  label = "Current password",
}: {
  value: string;
  onChange: (value: string) => void;
  label?: string;
}) {
  return (
    <Field label={label}>
      {(p) => (
        <input
          {...p}
          name={label === "Current password" ? "current-password" : "new-password"}
          type="password"
          autoComplete={label === "Current password" ? "current-password" : "new-password"}
          required
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

function ChangePassword() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  const [error, setError] = useState<string>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setDone(false);
    if (next !== repeat) return setError("The two new passwords are not the same.");
    if (next.length < 8) return setError("Choose a new password of at least 8 characters.");
    setBusy(true);
    try {
      await reauthenticate(current);
      await api("/auth/password", { method: "POST", body: { password: next } });
      setDone(true);
      setCurrent("");
      setNext("");
      setRepeat("");
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="password-heading">
      <h2 id="password-heading">Password</h2>
      <ErrorMessage error={error} />
      <SuccessMessage>{done ? "Your password is changed." : null}</SuccessMessage>
      <form className="stack" onSubmit={submit}>
        <PasswordField value={current} onChange={setCurrent} />
        <PasswordField value={next} onChange={setNext} label="New password" />
        <PasswordField value={repeat} onChange={setRepeat} label="Repeat the new password" />
        <div className="actions">
          <button type="submit" disabled={busy}>
            Change password
          </button>
        </div>
      </form>
    </section>
  );
}

interface Setup {
  secret: string;
  uri: string;
}

function TwoFactor() {
  const { me, refresh } = useSession();
  const [password, setPassword] = useState("");
  const [setup, setSetup] = useState<Setup>();
  const [code, setCode] = useState("");
  const [recoveryCodes, setRecoveryCodes] = useState<string[]>();
  const [error, setError] = useState<string>();
  const [message, setMessage] = useState<string>();
  const [busy, setBusy] = useState(false);
  const enabled = me?.twoFactorEnabled ?? false;

  const run = async (action: () => Promise<void>) => {
    setError(undefined);
    setMessage(undefined);
    setBusy(true);
    try {
      await action();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  const begin = (event: FormEvent) => {
    event.preventDefault();
    return run(async () => {
      await reauthenticate(password);
      setSetup(await api<Setup>("/auth/2fa/setup", { method: "POST" }));
      setPassword("");
    });
  };

  const confirm = (event: FormEvent) => {
    event.preventDefault();
    return run(async () => {
      const compact = code.replace(/\s/g, "");
      if (!/^\d{6}$/.test(compact)) throw new Error("Enter the 6-digit code your app shows now.");
      const result = await api<{ recoveryCodes: string[] }>("/auth/2fa/enable", {
        method: "POST",
        body: { code: compact },
      });
      setRecoveryCodes(result.recoveryCodes);
      setSetup(undefined);
      setCode("");
      await refresh();
    });
  };

  const disable = (event: FormEvent) => {
    event.preventDefault();
    return run(async () => {
      await reauthenticate(password);
      await api("/auth/2fa/disable", { method: "POST" });
      setPassword("");
      setRecoveryCodes(undefined);
      setMessage("Two-factor sign-in is off. Your password alone now signs you in.");
      await refresh();
    });
  };

  return (
    <section className="card" aria-labelledby="twofactor-heading">
      <h2 id="twofactor-heading">Two-factor sign-in</h2>
      <p>
        Status:{" "}
        {enabled ? <span className="badge good">On</span> : <span className="badge neutral">Off</span>}
      </p>
      <ErrorMessage error={error} />
      <SuccessMessage>{message}</SuccessMessage>
      {recoveryCodes ? (
        <div className="shown-once" aria-live="polite">
          <p className="shown-once-label">Two-factor sign-in is on. Your recovery codes:</p>
          <ul className="recovery-codes" data-testid="recovery-codes">
            {recoveryCodes.map((c) => (
              <li key={c}>
                <code className="secret">{c}</code>
              </li>
            ))}
          </ul>
          <p className="hint">
            Each works once instead of a code from your app, if you lose your phone. They are shown only now:
            print them or keep them in a password manager.
          </p>
        </div>
      ) : null}

      {!enabled && !setup ? (
        <form className="stack" onSubmit={begin}>
          <p>
            After your password, sign-in asks for a code from an authenticator app (for example Aegis,
            FreeOTP, Google Authenticator or 1Password).
          </p>
          <PasswordField value={password} onChange={setPassword} />
          <div className="actions">
            <button type="submit" disabled={busy}>
              Set up two-factor sign-in
            </button>
          </div>
        </form>
      ) : null}

      {!enabled && setup ? (
        <form className="stack" onSubmit={confirm}>
          <ol className="steps">
            <li>
              In your authenticator app, add an account and choose to enter a setup key. Key:{" "}
              <code className="secret" data-testid="totp-secret">
                {setup.secret}
              </code>{" "}
              (time-based, 6 digits, 30 seconds).
            </li>
            <li>
              Or, on this device, open the setup link: <a href={setup.uri}>add to authenticator app</a>. Full
              link:{" "}
              <code className="secret" data-testid="totp-uri">
                {setup.uri}
              </code>
            </li>
            <li>Enter the 6-digit code the app now shows.</li>
          </ol>
          <Field label="Code from the app">
            {(p) => (
              <input
                {...p}
                name="code"
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9 ]*"
                maxLength={7}
                required
                value={code}
                onChange={(e) => setCode(e.target.value)}
              />
            )}
          </Field>
          <div className="actions">
            <button type="submit" disabled={busy}>
              Turn on two-factor sign-in
            </button>
            <button type="button" className="secondary" onClick={() => setSetup(undefined)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}

      {enabled ? (
        <form className="stack" onSubmit={disable}>
          <PasswordField value={password} onChange={setPassword} />
          <div className="actions">
            <button type="submit" className="danger" disabled={busy}>
              Turn off two-factor sign-in
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}

/** A browser's user-agent string shortened to something a person recognises. */
function describeAgent(agent: string | null): string {
  if (!agent) return "Unknown device";
  const browser = /(Firefox|Edg|Chrome|Chromium|Safari)\/[\d.]+/.exec(agent)?.[1];
  const system = /(Windows|Android|iPhone|iPad|Mac OS X|Linux)/.exec(agent)?.[1];
  if (!browser && !system) return agent.slice(0, 60);
  const name = browser === "Edg" ? "Edge" : browser;
  return [name, system && `on ${system === "Mac OS X" ? "macOS" : system}`].filter(Boolean).join(" ");
}

function Sessions() {
  const sessions = useApi<{ sessions: SessionView[] }>("/auth/sessions");
  const { signOut } = useSession();
  const [error, setError] = useState<string>();

  const end = async (session: SessionView) => {
    setError(undefined);
    try {
      if (session.current) {
        await signOut();
        return;
      }
      await api(`/auth/sessions/${encodeURIComponent(session.id)}`, { method: "DELETE" });
      sessions.reload();
    } catch (e) {
      setError(messageOf(e));
    }
  };

  const list = sessions.data?.sessions ?? [];
  return (
    <section className="card" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Where you are signed in</h2>
      <ErrorMessage error={error ?? sessions.error} />
      {sessions.loading && !sessions.data ? <Loading what="sessions" /> : null}
      {list.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Signed-in sessions</caption>
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">Address</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last active</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((session) => (
                <tr key={session.id}>
                  <td title={session.userAgent ?? undefined}>
                    {describeAgent(session.userAgent)}
                    {session.current ? (
                      <>
                        {" "}
                        <span className="badge good">This device</span>
                      </>
                    ) : null}
                  </td>
                  <td>{session.ipAddress ?? "—"}</td>
                  <td>{formatDateTime(session.createdAt)}</td>
                  <td>{formatDateTime(session.lastSeenAt)}</td>
                  <td>
                    <button
                      type="button"
                      className="secondary"
                      onClick={() => end(session)}
                      aria-label={
                        session.current
                          ? "Sign out here"
                          : `End session from ${session.ipAddress ?? "unknown address"}`
                      }
                    >
                      {session.current ? "Sign out" : "End"}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

const EVENTS: Record<string, string> = {
  "sign-in": "Signed in",
  "two-factor-failed": "Wrong two-factor code",
  "password-changed": "Password changed",
  "password-reset": "Password reset",
  "two-factor-enabled": "Two-factor sign-in turned on",
  "two-factor-disabled": "Two-factor sign-in turned off",
  "email-changed": "Email changed",
  "api-use": "API key used",
};

const COUNTRY_NAMES = new Intl.DisplayNames(["en"], { type: "region" });

/** "Paris, France" from the city and the ISO country code; "Unknown" when neither is known. */
function placeOf(entry: ActivityEntry): string {
  let country = entry.country;
  if (country && /^[A-Z]{2}$/.test(country)) {
    try {
      country = COUNTRY_NAMES.of(country) ?? country;
    } catch {
      // An unknown code stays as it is.
    }
  }
  return [entry.city, country].filter(Boolean).join(", ") || "Unknown";
}

function Activity() {
  const activity = useApi<{
    activity: ActivityEntry[];
    placesBy?: { name: string; url: string; license: string };
  }>("/auth/security/activity");
  const credit = activity.data?.placesBy;
  const list = activity.data?.activity ?? [];
  return (
    <section className="card" aria-labelledby="activity-heading">
      <h2 id="activity-heading">Recent activity</h2>
      <p className="hint">
        Sign-ins and changes to your account, with the approximate place of the address used.
      </p>
      <ErrorMessage error={activity.error} />
      {activity.loading && !activity.data ? <Loading what="activity" /> : null}
      {activity.data && list.length === 0 ? <EmptyState title="No activity recorded yet" /> : null}
      {list.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Recent activity</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col">Where</th>
                <th scope="col">Address</th>
                <th scope="col">Device</th>
              </tr>
            </thead>
            <tbody>
              {list.map((entry) => (
                <tr key={`${entry.at}-${entry.event}-${entry.ipAddress}-${entry.userAgent}`}>
                  <td>{formatDateTime(entry.at)}</td>
                  <td>{EVENTS[entry.event] ?? entry.event}</td>
                  <td>{placeOf(entry)}</td>
                  <td>{entry.ipAddress ?? "—"}</td>
                  <td title={entry.userAgent ?? undefined}>{describeAgent(entry.userAgent)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {credit && list.length > 0 ? (
        <p className="hint">
          Places: <a href={credit.url}>{credit.name}</a> ({credit.license}).
        </p>
      ) : null}
    </section>
  );
}
