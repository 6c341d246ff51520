import type { ReactNode } from "react";
import { type LegalDocument, type LegalOverview, longDate } from "../components/legal-documents.ts";
import { ErrorMessage, Loading, PageTitle } from "../ui.tsx";
import { useApi } from "../use-api.ts";

/**
 * Legal: the Terms of Service and the Privacy Policy in force, each with its "last updated" date,
 * and any change already announced with the day it takes effect. Public (no sign-in).
 */
export function LegalPage() {
  const { data, error, loading } = useApi<LegalOverview>("/legal");
  return (
    <>
      <PageTitle lead="The Terms of Service and the Privacy Policy in force, and any change announced.">
        Legal
      </PageTitle>
      <ErrorMessage error={error} />
      {loading && !data ? <Loading what="the documents" /> : null}
      {data ? (
        <>
          <nav aria-label="Documents" className="legal-contents">
            <ul>
              {data.current.map((doc) => (
                <li key={doc.document}>
                  <a href={`#${doc.document}`}>{doc.title}</a>
                </li>
              ))}
            </ul>
          </nav>
          {data.upcoming.map((doc) => (
            <section
              key={`${doc.document}-${doc.version}`}
              className="notice"
              aria-label={`Upcoming ${doc.title}`}
            >
              <h2>
                {doc.title}: new version from {longDate(doc.effectiveAt)}
              </h2>
              {doc.summary ? <p>{doc.summary}</p> : null}
              <details>
                <summary>Read the new version</summary>
                <DocumentText body={doc.body} />
              </details>
            </section>
          ))}
          {data.current.map((doc) => (
            <CurrentDocument key={doc.document} doc={doc} />
          ))}
        </>
      ) : null}
    </>
  );
}

function CurrentDocument({ doc }: { doc: LegalDocument }) {
  return (
    <article id={doc.document} className="legal-document" aria-labelledby={`${doc.document}-title`}>
      <h2 id={`${doc.document}-title`}>{doc.title}</h2>
      <p className="muted">
        Last updated: <time dateTime={doc.effectiveAt}>{longDate(doc.effectiveAt)}</time> (version{" "}
        {doc.version})
      </p>
      <DocumentText body={doc.body} />
    </article>
  );
}

/**
 * The plain text of a document: "1. Overview" lines become headings, "- " lines list items, the
 * rest paragraphs. Rendered as text, never as HTML.
 */
function DocumentText({ body }: { body: string }) {
  const blocks: ReactNode[] = [];
  let items: string[] = [];
  const flush = () => {
    if (items.length > 0) {
      blocks.push(
        <ul key={`list-${blocks.length}`}>
          {items.map((item, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the text is static; items may repeat
            <li key={i}>{item}</li>
          ))}
        </ul>,
      );
      items = [];
    }
  };
  for (const line of body.split("\n")) {
    const text = line.trim();
    if (text === "") continue;
    if (text.startsWith("- ")) {
      items.push(text.slice(2));
      continue;
    }
    flush();
    if (/^\d{1,2}\.\s+\S/.test(text) && text.length < 80 && !text.endsWith(".")) {
      blocks.push(<h3 key={`h-${blocks.length}`}>{text}</h3>);
    } else {
      blocks.push(<p key={`p-${blocks.length}`}>{text}</p>);
    }
  }
  flush();
  return <div className="document-text">{blocks}</div>;
}
