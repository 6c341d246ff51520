import { PageTitle } from "../ui.tsx";

export function NotFoundPage() {
  return <PageTitle>NotFound</PageTitle>;
}
