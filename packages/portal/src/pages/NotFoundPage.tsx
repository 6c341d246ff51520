import { Link } from "react-router";
import { PageTitle } from "../ui.tsx";

export function NotFoundPage() {
  return (
    <section className="card narrow">
      <PageTitle lead="There is no page at this address.">Page not found</PageTitle>
      <p>
        <Link to="/">Go to your dashboard</Link>
      </p>
    </section>
  );
}
