import { PageTitle } from "../ui.tsx";

export function VerifyEmailPage() {
  return <PageTitle>VerifyEmail</PageTitle>;
}
