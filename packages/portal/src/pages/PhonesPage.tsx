import { PageTitle } from "../ui.tsx";

export function PhonesPage() {
  return <PageTitle>Phones</PageTitle>;
}
