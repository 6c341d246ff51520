import { type FormEvent, useState } from "react";
import { api, messageOf } from "../api.ts";
import { formatDateTime } from "../format.ts";
import type { ApiKey } from "../types.ts";
import { EmptyState, ErrorMessage, Field, Loading, PageTitle, ShownOnce } from "../ui.tsx";
import { useApi } from "../use-api.ts";

/** API keys: make one (shown once) with a scope, see when each was last used, revoke. */
export function ApiKeysPage() {
  const keys = useApi<{ items: ApiKey[] }>("/api-keys");
  const [name, setName] = useState("");
  const [scope, setScope] = useState<ApiKey["scope"]>("read");
  const [created, setCreated] = useState<{ name: string; key: string }>();
  const [confirming, setConfirming] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    if (!name.trim()) return setError("Give the key a name, so you know later where it is used.");
    setBusy(true);
    try {
      const key = await api<ApiKey & { key: string }>("/api-keys", {
        method: "POST",
        body: { name: name.trim(), scope },
      });
      setCreated({ name: key.name, key: key.key });
      setName("");
      keys.reload();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (key: ApiKey) => {
    setError(undefined);
    try {
      await api(`/api-keys/${encodeURIComponent(key.id)}`, { method: "DELETE" });
      setConfirming(undefined);
      keys.reload();
    } catch (e) {
      setError(messageOf(e));
    }
  };

  const list = keys.data?.items ?? [];

  return (
    <>
      <PageTitle lead="Keys for programs that use the REST API on your behalf.">API keys</PageTitle>
      <ErrorMessage error={error ?? keys.error} />
      <section className="card" aria-labelledby="new-key-heading">
        <h2 id="new-key-heading">New key</h2>
        <form className="stack" onSubmit={create}>
          <Field label="Name" hint="Where the key will be used, e.g. “billing export”.">
            {(p) => (
              <input
                {...p}
                name="name"
                maxLength={100}
                required
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
            )}
          </Field>
          <Field label="Access" hint="Read-only keys can look but change nothing.">
            {(p) => (
              <select
                {...p}
                name="scope"
                value={scope}
                onChange={(e) => setScope(e.target.value as ApiKey["scope"])}
              >
                <option value="read">Read only</option>
                <option value="read-write">Read and write</option>
              </select>
            )}
          </Field>
          <div className="actions">
            <button type="submit" disabled={busy}>
              Create key
            </button>
          </div>
        </form>
        {created ? (
          <div aria-live="polite">
            <ShownOnce label={`Your new key “${created.name}”`} value={created.key} />
            <p className="hint">
              Send it as <code>Authorization: Bearer &lt;key&gt;</code>. Never put it in a URL.{" "}
              <a href="/api/docs">API documentation</a>
            </p>
          </div>
        ) : null}
      </section>

      <section className="card" aria-labelledby="keys-heading">
        <h2 id="keys-heading">Your keys</h2>
        {keys.loading && !keys.data ? <Loading what="keys" /> : null}
        {keys.data && list.length === 0 ? (
          <EmptyState title="No API keys">
            <p>You only need one to use the REST API from your own programs.</p>
          </EmptyState>
        ) : null}
        {list.length > 0 ? (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Your API keys</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Access</th>
                  <th scope="col">Starts with</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {list.map((key) => (
                  <tr key={key.id}>
                    <td>{key.name}</td>
                    <td>{key.scope === "read" ? "Read only" : "Read and write"}</td>
                    <td>
                      <code>{key.prefix}…</code>
                    </td>
                    <td>{formatDateTime(key.createdAt)}</td>
                    <td>{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : "Never"}</td>
                    <td>
                      {key.revokedAt ? (
                        <span className="badge bad">Revoked</span>
                      ) : confirming === key.id ? (
                        <span className="actions">
                          <button type="button" className="danger" onClick={() => revoke(key)}>
                            Yes, revoke {key.name}
                          </button>
                          <button
                            type="button"
                            className="secondary"
                            onClick={() => setConfirming(undefined)}
                          >
                            Keep
                          </button>
                        </span>
                      ) : (
                        <button
                          type="button"
                          className="danger"
                          aria-label={`Revoke ${key.name}`}
                          onClick={() => setConfirming(key.id)}
                        >
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </>
  );
}
