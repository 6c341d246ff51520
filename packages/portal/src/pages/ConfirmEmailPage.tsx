import { PageTitle } from "../ui.tsx";

export function ConfirmEmailPage() {
  return <PageTitle>ConfirmEmail</PageTitle>;
}
