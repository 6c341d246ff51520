import { PageTitle } from "../ui.tsx";

export function ResetPasswordPage() {
  return <PageTitle>ResetPassword</PageTitle>;
}
