import { PageTitle } from "../ui.tsx";

/**
 * Top-up: add prepaid credit. Placeholder; the payments work owns this file and fills it in.
 * Keep the export name: App.tsx routes `/top-up` here.
 */
export function TopUpPage() {
  return (
    <>
      <PageTitle lead="Add prepaid credit to your balance.">Top up</PageTitle>
      <p>Payments are not available yet.</p>
    </>
  );
}
