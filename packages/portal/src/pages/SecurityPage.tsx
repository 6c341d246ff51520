import { PageTitle } from "../ui.tsx";

export function SecurityPage() {
  return <PageTitle>Security</PageTitle>;
}
