import { PageTitle } from "../ui.tsx";

export function CallsPage() {
  return <PageTitle>Calls</PageTitle>;
}
