import { type ReactNode, useEffect, useId, useRef } from "react";

/** False until the first page has shown: a fresh load leaves focus at the top, where the skip link is. */
let navigated = false;

/** The page's title as its one h1; moves focus there on navigation so screen readers announce it. */
export function PageTitle({ children, lead }: { children: ReactNode; lead?: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    const text = heading.current?.textContent;
    if (text) document.title = `${text} · Zaqros`;
    if (navigated) heading.current?.focus({ preventScroll: true });
    navigated = true;
  }, []);
  return (
    <header className="page-title">
      <h1 ref={heading} tabIndex={-1}>
        {children}
      </h1>
      {lead ? <p className="lead">{lead}</p> : null}
    </header>
  );
}

/** An error a person can act on, announced by screen readers. */
export function ErrorMessage({ error }: { error: string | undefined | null }) {
  if (!error) return null;
  return (
    <p className="message error" role="alert">
      {error}
    </p>
  );
}

export function SuccessMessage({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <p className="message success" role="status">
      {children}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}

/** A friendly placeholder for a list with nothing in it, saying what to do next. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <p className="empty-title">{title}</p>
      {children ? <div className="empty-body">{children}</div> : null}
    </div>
  );
}

interface FieldProps {
  label: string;
  hint?: ReactNode;
  children: (props: { id: string; "aria-describedby"?: string }) => ReactNode;
}

/** A labelled control with an optional hint tied to it by aria-describedby. */
export function Field({ label, hint, children }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(hint ? { id, "aria-describedby": hintId } : { id })}
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** A secret shown this one time, with a copy button. */
export function ShownOnce({ label, value }: { label: string; value: string }) {
  const copy = () => {
    navigator.clipboard?.writeText(value).catch(() => undefined);
  };
  return (
    <div className="shown-once">
      <p className="shown-once-label">{label}</p>
      <div className="shown-once-row">
        <code className="secret">{value}</code>
        <button type="button" className="secondary" onClick={copy}>
          Copy
        </button>
      </div>
      <p className="hint">This is shown only once. Store it now; Zaqros keeps only a hash of it.</p>
    </div>
  );
}
