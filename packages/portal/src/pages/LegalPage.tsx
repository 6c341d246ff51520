import { PageTitle } from "../ui.tsx";

/**
 * Legal: the current Terms and Privacy Policy. Placeholder; the legal work owns this file and fills
 * it in. Public (no sign-in). Keep the export name: App.tsx routes `/legal` here.
 */
export function LegalPage() {
  return (
    <>
      <PageTitle lead="The current Terms and Privacy Policy.">Legal</PageTitle>
      <p>The documents will be shown here.</p>
    </>
  );
}
