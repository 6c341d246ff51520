import { type FormEvent, useEffect, useState } from "react";
import { Link } from "react-router";
import { api, messageOf } from "../api.ts";
import type { LegalVersions } from "../types.ts";
import { ErrorMessage, Field, PageTitle } from "../ui.tsx";

/** Sign-up: name, email, phone (E.164), password, age confirmation and acceptance of the current Terms and Privacy Policy. */
export function SignUpPage() {
  const [versions, setVersions] = useState<LegalVersions | undefined>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [sentTo, setSentTo] = useState<string>();
  const [form, setForm] = useState({
    name: "",
    email: "",
    phone: "",
    password: "",
    age: false,
    accept: false,
  });

  useEffect(() => {
    api<LegalVersions>("/auth/legal-versions")
      .then(setVersions)
      .catch((e) => setError(messageOf(e)));
  }, []);

  const set =
    (key: keyof typeof form) => (event: { target: { value: string; checked: boolean; type: string } }) =>
      setForm((f) => ({
        ...f,
        [key]: event.target.type === "checkbox" ? event.target.checked : event.target.value,
      }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    if (form.password.length < 8) return setError("Choose a password of at least 8 characters.");
    if (form.password.length > 128) return setError("Choose a password of at most 128 characters.");
    if (!form.age) return setError("Please confirm that you are 16 or older.");
    if (!form.accept || !versions) return setError("Please accept the Terms and the Privacy Policy.");
    const phone = form.phone.replace(/[\s().-]/g, "");
    if (phone && !/^\+[1-9]\d{6,14}$/.test(phone)) {
      return setError("Enter your phone number in international form, starting with + and the country code.");
    }
    setBusy(true);
    try {
      await api("/auth/signup", {
        method: "POST",
        body: {
          name: form.name.trim(),
          email: form.email.trim(),
          ...(phone ? { phone } : {}),
          password: form.password,
          confirmsAge16OrOver: form.age,
          acceptedTermsVersion: versions.terms,
          acceptedPrivacyVersion: versions.privacy,
        },
      });
      setSentTo(form.email.trim());
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  if (sentTo) {
    return (
      <section className="card narrow">
        <PageTitle lead="One more step.">Check your email</PageTitle>
        <p role="status">
          We sent a link to <strong>{sentTo}</strong>. Open it to confirm your address; then you can make
          calls.
        </p>
        <p>
          Already confirmed? <Link to="/login">Sign in</Link>
        </p>
      </section>
    );
  }

  return (
    <section className="card narrow">
      <PageTitle lead="Prepaid calls anywhere, with your privacy kept.">Create your account</PageTitle>
      <ErrorMessage error={error} />
      <form className="stack" onSubmit={submit} noValidate>
        <Field label="Full name">
          {(p) => (
            <input
              {...p}
              name="name"
              autoComplete="name"
              required
              maxLength={200}
              value={form.name}
              onChange={set("name")}
            />
          )}
        </Field>
        <Field label="Email">
          {(p) => (
            <input
              {...p}
              name="email"
              type="email"
              autoComplete="email"
              required
              value={form.email}
              onChange={set("email")}
            />
          )}
        </Field>
        <Field
          label="Mobile phone"
          hint="International form, e.g. +33 1 42 68 53 00. Used for account recovery only."
        >
          {(p) => (
            <input
              {...p}
              name="phone"
              type="tel"
              autoComplete="tel"
              value={form.phone}
              onChange={set("phone")}
            />
          )}
        </Field>
        <Field
          label="Password"
          hint="At least 8 characters. A long phrase is easy to remember and hard to guess."
        >
          {(p) => (
            <input
              {...p}
              name="password"
              type="password"
              autoComplete="new-password"
              required
              minLength={8}
              maxLength={128}
              value={form.password}
              onChange={set("password")}
            />
          )}
        </Field>
        <div className="checkbox">
          <input id="signup-age" name="age" type="checkbox" checked={form.age} onChange={set("age")} />
          <label htmlFor="signup-age">I am 16 or older.</label>
        </div>
        <div className="checkbox">
          <input
            id="signup-accept"
            name="accept"
            type="checkbox"
            checked={form.accept}
            onChange={set("accept")}
          />
          <label htmlFor="signup-accept">
            I accept the <Link to="/legal">Terms</Link>
            {versions ? ` (version ${versions.terms})` : ""} and the <Link to="/legal">Privacy Policy</Link>
            {versions ? ` (version ${versions.privacy})` : ""}.
          </label>
        </div>
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? "Creating account…" : "Create account"}
          </button>
          <span>
            Have an account? <Link to="/login">Sign in</Link>
          </span>
        </div>
      </form>
    </section>
  );
}
