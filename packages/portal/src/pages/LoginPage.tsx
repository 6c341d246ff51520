import { PageTitle } from "../ui.tsx";

export function LoginPage() {
  return <PageTitle>Login</PageTitle>;
}
