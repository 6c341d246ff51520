import { PageTitle } from "../ui.tsx";

export function RatesPage() {
  return <PageTitle>Rates</PageTitle>;
}
