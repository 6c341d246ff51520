import { Navigate, Outlet, useLocation } from "react-router";
import { useSession } from "./session.tsx";
import { Loading } from "./ui.tsx";

/** Pages behind it need a signed-in customer; anyone else goes to sign-in and comes back after. */
export function RequireSignIn() {
  const { me } = useSession();
  const location = useLocation();
  if (me === undefined) return <Loading what="your account" />;
  if (me === null) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <Outlet />;
}
