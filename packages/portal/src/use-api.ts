import { useCallback, useEffect, useState } from "react";
import { api, messageOf, type RequestOptions } from "./api.ts";

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload(): void;
}

/** GETs `path` (under /api/v1) when it or the query changes; `reload()` asks again. */
export function useApi<T>(path: string | null, query?: RequestOptions["query"]): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(path !== null);
  const [round, setRound] = useState(0);
  const queryKey = JSON.stringify(query ?? {});

  // biome-ignore lint/correctness/useExhaustiveDependencies: `round` is how reload() asks again
  useEffect(() => {
    if (path === null) return;
    let current = true;
    setLoading(true);
    setError(undefined);
    api<T>(path, { query: JSON.parse(queryKey) })
      .then((value) => {
        if (current) setData(value);
      })
      .catch((e) => {
        if (current) setError(messageOf(e));
      })
      .finally(() => {
        if (current) setLoading(false);
      });
    return () => {
      current = false;
    };
  }, [path, queryKey, round]);

  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data, error, loading, reload };
}
