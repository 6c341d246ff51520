import { useEffect, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api, messageOf } from "../api.ts";
import { useSession } from "../session.tsx";
import { ErrorMessage, Loading, PageTitle, SuccessMessage } from "../ui.tsx";

/** Where the verification mail's link lands: confirms the address with the token from the link. */
export function VerifyEmailPage() {
  return (
    <TokenLanding
      path="/auth/verify-email"
      title="Confirm your email"
      done="Your email address is confirmed."
    />
  );
}

/** Shared by the verification and email-change links: posts the link's token once. */
export function TokenLanding({ path, title, done }: { path: string; title: string; done: string }) {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const { me, refresh } = useSession();
  const [state, setState] = useState<"working" | "done" | "failed">("working");
  const [error, setError] = useState<string>();
  const sent = useRef(false);

  useEffect(() => {
    if (sent.current) return;
    sent.current = true;
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) {
      setState("failed");
      setError("This link is incomplete. Open it straight from the email, or copy the whole address.");
      return;
    }
    api(path, { method: "POST", body: { token } })
      .then(() => {
        setState("done");
        refresh().catch(() => undefined);
      })
      .catch((e) => {
        setState("failed");
        setError(messageOf(e));
      });
  }, [path, token, refresh]);

  return (
    <section className="card narrow">
      <PageTitle>{title}</PageTitle>
      {state === "working" ? <Loading what="the link" /> : null}
      {state === "done" ? <SuccessMessage>{done}</SuccessMessage> : null}
      <ErrorMessage error={error} />
      {state !== "working" ? (
        <p>{me ? <Link to="/">Go to your dashboard</Link> : <Link to="/login">Sign in</Link>}</p>
      ) : null}
    </section>
  );
}
