import { PageTitle } from "../ui.tsx";

export function DashboardPage() {
  return <PageTitle>Dashboard</PageTitle>;
}
