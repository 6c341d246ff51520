import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { ApiError, api, onSignedOut, setCsrfToken } from "./api.ts";
import type { Me } from "./types.ts";

interface SessionState {
  /** undefined while the first check runs; null when nobody is signed in. */
  me: Me | null | undefined;
  /** Reads `/auth/me` again (after sign-in, a profile change, two-factor changes). */
  refresh(): Promise<Me | null>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionState | undefined>(undefined);

/** Knows whether someone is signed in, by asking the server; the cookie itself is HttpOnly. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);

  const refresh = useCallback(async () => {
    try {
      const current = await api<Me>("/auth/me", { quiet401: true });
      setCsrfToken(current.csrfToken);
      setMe(current);
      return current;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        setCsrfToken(undefined);
        setMe(null);
        return null;
      }
      throw error;
    }
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api("/auth/logout", { method: "POST" });
    } finally {
      setCsrfToken(undefined);
      setMe(null);
    }
  }, []);

  useEffect(() => {
    refresh().catch(() => setMe(null));
    return onSignedOut(() => {
      setCsrfToken(undefined);
      setMe(null);
    });
  }, [refresh]);

  const value = useMemo(() => ({ me, refresh, signOut }), [me, refresh, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}

/** The signed-in customer; only for pages behind {@link RequireSignIn}. */
export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error("useMe on a page that does not require sign-in");
  return me;
}
