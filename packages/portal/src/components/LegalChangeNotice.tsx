import { Link } from "react-router";
import { useApi } from "../use-api.ts";
import { type LegalOverview, longDate } from "./legal-documents.ts";

/**
 * The in-portal notice of a material change to the Terms or the Privacy Policy, shown on every page
 * from its publication until it takes effect (privacy policy §12). Shows nothing otherwise, and
 * nothing if the documents cannot be read (the page itself still works).
 */
export function LegalChangeNotice() {
  const { data } = useApi<LegalOverview>("/legal");
  const changes = data?.upcoming.filter((d) => d.material) ?? [];
  if (changes.length === 0) return null;
  return (
    <aside className="notice legal-change-notice" aria-label="Changes to our terms">
      {changes.map((change) => (
        <p key={`${change.document}-${change.version}`}>
          <strong>
            Our {change.title} changes on {longDate(change.effectiveAt)}.
          </strong>{" "}
          {change.summary} <Link to="/legal">Read the new version</Link>
        </p>
      ))}
    </aside>
  );
}
