import { PageTitle } from "../ui.tsx";

export function NumbersPage() {
  return <PageTitle>Numbers</PageTitle>;
}
