import { PageTitle } from "../ui.tsx";

export function SignUpPage() {
  return <PageTitle>SignUp</PageTitle>;
}
