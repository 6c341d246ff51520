import { PageTitle } from "../ui.tsx";

/**
 * Privacy: the customer's own data (download, correct, delete, restrict, consent). Placeholder;
 * the privacy work owns this file and fills it in. Keep the export name: App.tsx routes `/privacy` here.
 */
export function PrivacyPage() {
  return (
    <>
      <PageTitle lead="Your personal data and what Zaqros does with it.">Privacy</PageTitle>
      <p>The privacy controls are coming soon.</p>
    </>
  );
}
