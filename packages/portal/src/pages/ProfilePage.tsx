import { PageTitle } from "../ui.tsx";

export function ProfilePage() {
  return <PageTitle>Profile</PageTitle>;
}
