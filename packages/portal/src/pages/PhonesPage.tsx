import { type FormEvent, useState } from "react";
import { api, messageOf } from "../api.ts";
import { formatDateTime } from "../format.ts";
import type { Device, ProvisionedDevice } from "../types.ts";
import { EmptyState, ErrorMessage, Field, Loading, PageTitle, ShownOnce, SuccessMessage } from "../ui.tsx";
import { useApi } from "../use-api.ts";

interface SipSettings {
  domain: string;
  host: string;
  transports: { transport: "udp" | "tcp" | "tls"; port: number }[];
}

/** Phones: add a SIP device (its password shown once), how to set up common softphones, list and remove. */
export function PhonesPage() {
  const devices = useApi<{ items: Device[] }>("/devices");
  const settings = useApi<SipSettings>("/sip-settings");
  const [label, setLabel] = useState("");
  const [created, setCreated] = useState<ProvisionedDevice>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState<string>();
  const [removed, setRemoved] = useState<string>();

  const add = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setRemoved(undefined);
    setBusy(true);
    try {
      const device = await api<ProvisionedDevice>("/devices", {
        method: "POST",
        body: label.trim() ? { label: label.trim() } : {},
      });
      setCreated(device);
      setLabel("");
      devices.reload();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (device: Device) => {
    setError(undefined);
    try {
      await api(`/devices/${encodeURIComponent(device.id)}`, { method: "DELETE" });
      setConfirming(undefined);
      setRemoved(device.label ?? device.username);
      if (created?.id === device.id) setCreated(undefined);
      devices.reload();
    } catch (e) {
      setError(messageOf(e));
    }
  };

  const list = devices.data?.items ?? [];

  return (
    <>
      <PageTitle lead="SIP phones and apps that call through your account.">Phones</PageTitle>
      <ErrorMessage error={error ?? devices.error} />
      <SuccessMessage>{removed ? `Removed ${removed}. Its password no longer works.` : null}</SuccessMessage>

      <section className="card" aria-labelledby="add-heading">
        <h2 id="add-heading">Add a phone</h2>
        <form className="stack" onSubmit={add}>
          <Field
            label="Name for this phone (optional)"
            hint="Helps you tell your phones apart, e.g. “Desk phone”."
          >
            {(p) => (
              <input
                {...p}
                name="label"
                maxLength={100}
                value={label}
                onChange={(e) => setLabel(e.target.value)}
              />
            )}
          </Field>
          <div className="actions">
            <button type="submit" disabled={busy}>
              {busy ? "Adding…" : "Add phone"}
            </button>
          </div>
        </form>
        {created ? <NewDevice device={created} settings={settings.data} /> : null}
      </section>

      <section className="card" aria-labelledby="list-heading">
        <h2 id="list-heading">Your phones</h2>
        {devices.loading && !devices.data ? <Loading what="phones" /> : null}
        {devices.data && list.length === 0 ? (
          <EmptyState title="No phones yet">
            <p>Add a phone above, then enter its details in a softphone app or a desk phone.</p>
          </EmptyState>
        ) : null}
        {list.length > 0 ? (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Your phones</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">User name</th>
                  <th scope="col">Added</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((device) => (
                  <tr key={device.id}>
                    <td>{device.label ?? "—"}</td>
                    <td>
                      <code>{device.username}</code>
                    </td>
                    <td>{formatDateTime(device.createdAt)}</td>
                    <td>
                      {confirming === device.id ? (
                        <span className="actions">
                          <button type="button" className="danger" onClick={() => remove(device)}>
                            Yes, remove {device.label ?? device.username}
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
                          aria-label={`Remove ${device.label ?? device.username}`}
                          onClick={() => setConfirming(device.id)}
                        >
                          Remove
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

      {settings.data ? (
        <section className="card" aria-labelledby="setup-heading">
          <h2 id="setup-heading">Setting up a softphone</h2>
          <SetupGuide settings={settings.data} username={created?.username} />
        </section>
      ) : null}
    </>
  );
}

function NewDevice({ device, settings }: { device: ProvisionedDevice; settings: SipSettings | undefined }) {
  return (
    <div className="stack" aria-live="polite">
      <SuccessMessage>
        Phone added{device.label ? `: ${device.label}` : ""}. Enter these details in your phone.
      </SuccessMessage>
      <dl className="facts">
        <dt>User name</dt>
        <dd>
          <code data-testid="sip-username">{device.username}</code>
        </dd>
        <dt>Domain</dt>
        <dd>
          <code>{device.realm}</code>
        </dd>
        {settings ? (
          <>
            <dt>Server</dt>
            <dd>
              <code>{settings.host}</code>
            </dd>
            <dt>Port and transport</dt>
            <dd>{settings.transports.map((t) => `${t.port} (${t.transport.toUpperCase()})`).join(", ")}</dd>
          </>
        ) : null}
      </dl>
      <ShownOnce label="Password" value={device.password} />
    </div>
  );
}

function SetupGuide({ settings, username }: { settings: SipSettings; username: string | undefined }) {
  const user = username ?? "your user name";
  const udp = settings.transports.find((t) => t.transport === "udp")?.port ?? 5060;
  const tls = settings.transports.find((t) => t.transport === "tls")?.port;
  const proxy = `${settings.host}:${udp}`;
  return (
    <>
      <p>
        Every app asks for the same four things: user name, password, domain <code>{settings.domain}</code>{" "}
        and server <code>{proxy}</code>.{" "}
        {tls ? (
          <>
            For encrypted signalling choose TLS and port <code>{tls}</code>.
          </>
        ) : null}
      </p>
      <details className="softphone">
        <summary>Linphone (desktop, Android, iOS)</summary>
        <ol className="steps">
          <li>Open Linphone and choose “Use a SIP account”.</li>
          <li>
            User name: <code>{user}</code>; password: the one shown when you added the phone.
          </li>
          <li>
            Domain: <code>{settings.domain}</code>. Under advanced settings, proxy: <code>sip:{proxy}</code>.
          </li>
          <li>
            Transport: UDP{tls ? ` (or TLS with port ${tls})` : ""}. Save; the account shows “Connected”.
          </li>
        </ol>
      </details>
      <details className="softphone">
        <summary>Zoiper</summary>
        <ol className="steps">
          <li>
            Add an account and enter{" "}
            <code>
              {user}@{settings.domain}
            </code>{" "}
            and the password.
          </li>
          <li>
            When asked for the hostname or provider, enter <code>{proxy}</code>.
          </li>
          <li>
            Skip the authentication and outbound proxy step; choose SIP UDP when Zoiper offers transports.
          </li>
        </ol>
      </details>
      <details className="softphone">
        <summary>MicroSIP (Windows)</summary>
        <ol className="steps">
          <li>Menu → Add Account.</li>
          <li>
            SIP Server: <code>{proxy}</code>; SIP Proxy: leave empty; Username and Login: <code>{user}</code>
            {"; "}Domain: <code>{settings.domain}</code>; Password: yours.
          </li>
          <li>Transport: UDP{tls ? " (or TLS)" : ""}. Save.</li>
        </ol>
      </details>
      <details className="softphone">
        <summary>baresip (Linux, command line)</summary>
        <ol className="steps">
          <li>
            Add a line to <code>~/.baresip/accounts</code>:{" "}
            <code>
              {`<sip:${user}@${settings.domain};transport=udp>;auth_pass=YOUR_PASSWORD;outbound="sip:${proxy}"`}
            </code>
          </li>
          <li>
            Start <code>baresip</code>; it registers and <code>/dial +442079460000</code> makes a call.
          </li>
        </ol>
      </details>
    </>
  );
}
