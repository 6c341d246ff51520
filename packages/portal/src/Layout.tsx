import { useState } from "react";
import { NavLink, Outlet, useLocation, useNavigate } from "react-router";
import { LegalChangeNotice } from "./components/LegalChangeNotice.tsx";
import { useSession } from "./session.tsx";

const NAV = [
  { to: "/", label: "Dashboard", end: true },
  { to: "/calls", label: "Calls" },
  { to: "/phones", label: "Phones" },
  { to: "/numbers", label: "Numbers" },
  { to: "/rates", label: "Rates" },
  { to: "/top-up", label: "Top up" },
  { to: "/profile", label: "Profile" },
  { to: "/security", label: "Security" },
  { to: "/api-keys", label: "API keys" },
  { to: "/privacy", label: "Privacy" },
  { to: "/legal", label: "Legal" },
] as const;

/** The frame of every page: a skip link, the header with navigation, the page, a footer. */
export function Layout() {
  const { me, signOut } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const [menuFor, setMenuFor] = useState(location.pathname);
  if (menuFor !== location.pathname) {
    setMenuFor(location.pathname);
    setMenuOpen(false);
  }

  const leave = async () => {
    await signOut().catch(() => undefined);
    navigate("/login");
  };

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/" className="brand">
          Zaqros
        </NavLink>
        {me ? (
          <>
            <button
              type="button"
              className="menu-toggle secondary"
              aria-expanded={menuOpen}
              aria-controls="main-nav"
              onClick={() => setMenuOpen((open) => !open)}
            >
              Menu
            </button>
            <nav id="main-nav" aria-label="Main" className={menuOpen ? "main-nav open" : "main-nav"}>
              <ul>
                {NAV.map((item) => (
                  <li key={item.to}>
                    <NavLink to={item.to} end={"end" in item}>
                      {item.label}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </nav>
            <div className="account-menu">
              <span className="who" title={me.email}>
                {me.name}
              </span>
              <button type="button" className="secondary" onClick={leave}>
                Sign out
              </button>
            </div>
          </>
        ) : (
          <nav aria-label="Account" className="public-nav">
            <NavLink to="/login">Sign in</NavLink>
            <NavLink to="/signup">Create account</NavLink>
          </nav>
        )}
      </header>
      <main id="main" className="content">
        <LegalChangeNotice />
        <Outlet />
      </main>
      <footer className="footer">
        <NavLink to="/legal">Terms and Privacy Policy</NavLink>
        <a href="/api/docs">API documentation</a>
      </footer>
    </div>
  );
}
