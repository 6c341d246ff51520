import { PageTitle } from "../ui.tsx";

export function ApiKeysPage() {
  return <PageTitle>ApiKeys</PageTitle>;
}
