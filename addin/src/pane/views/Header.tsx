// The pane's title, the Salesforce connection (who the rep is connected as, and where they
// sign in) and whether the rep's calendar is followed.
import { useState } from "preact/hooks";
import * as actions from "../actions";
import * as store from "../store";

const LOGIN_KEY = "outforce.login";

type Choice = "production" | "sandbox" | "my_domain";

function remembered(): { choice: Choice; url: string } {
  try {
    const saved = JSON.parse(localStorage.getItem(LOGIN_KEY) ?? "null");
    if (saved && ["production", "sandbox", "my_domain"].includes(saved.choice)) return { choice: saved.choice, url: String(saved.url ?? "") };
  } catch {
    // Nothing usable remembered: production, as Salesforce's own login page starts.
  }
  return { choice: "production", url: "" };
}

function ConnectChoice() {
  const [login, setLogin] = useState(remembered);
  const connect = () => {
    localStorage.setItem(LOGIN_KEY, JSON.stringify(login));
    void actions.connect(login.choice === "my_domain" ? login.url.trim() : login.choice);
  };
  return (
    <form
      class="connect"
      onSubmit={(e) => {
        e.preventDefault();
        connect();
      }}
    >
      <label for="login-choice">Sign in at</label>
      <select id="login-choice" value={login.choice} onChange={(e) => setLogin({ ...login, choice: e.currentTarget.value as Choice })}>
        <option value="production">Salesforce (production)</option>
        <option value="sandbox">A Salesforce sandbox</option>
        <option value="my_domain">My Domain or site URL</option>
      </select>
      {login.choice === "my_domain" ? (
        <>
          <label for="login-url">Your My Domain URL</label>
          <input
            id="login-url"
            type="url"
            required
            placeholder="https://yourcompany.my.salesforce.com"
            value={login.url}
            onInput={(e) => setLogin({ ...login, url: e.currentTarget.value })}
          />
        </>
      ) : null}
      <button class="primary" id="connect" type="submit">
        Connect Salesforce
      </button>
    </form>
  );
}

function Calendar({ token }: { token: (claims?: string) => Promise<string> }) {
  const graph = store.me.value?.graph;
  if (!graph) return null;
  if (graph.claims) {
    return (
      <p class="small" id="calendar-state">
        Your organization asks you to sign in again before outforce can follow your calendar.{" "}
        <button id="calendar-sign-in" onClick={() => void actions.signInForCalendar(graph.claims ?? undefined, token)}>
          Sign in again
        </button>
      </p>
    );
  }
  const followed = graph.watched && !graph.error;
  const text = followed
    ? "Calendar followed: changes in Outlook reach Salesforce by themselves."
    : graph.error
      ? "Your calendar cannot be read yet: your admin can see why."
      : "Connecting your calendar…";
  return (
    <p class={`small ${followed ? "" : "muted"}`} id="calendar-state">
      {text}
    </p>
  );
}

export function Header({ token }: { token: (claims?: string) => Promise<string> }) {
  const sf = store.me.value?.salesforce;
  const connected = store.connected.value;
  const who = store.connection.value;
  const label = connected ? "Connected" : sf?.state === "reconnect_needed" ? "Reconnect needed" : "Not connected";
  return (
    <header class="header">
      <div class="title">
        <h1>Salesforce</h1>
        {sf ? (
          <p class={`chip ${connected ? "ok" : "warn"}`} id="connection-state" tabIndex={-1}>
            {label}
          </p>
        ) : null}
      </div>
      {connected && who ? (
        <p class="small" id="connected-as">
          As <strong>{who.user.name}</strong> <span class="muted">({who.user.username})</span>
          <span class="muted block">Org {who.org_id}</span>
        </p>
      ) : null}
      {connected && sf?.mode !== "org_wide" ? (
        <button class="link small" id="disconnect" onClick={() => void actions.disconnect()}>
          Disconnect
        </button>
      ) : null}
      {sf && !connected && sf.mode !== "org_wide" ? <ConnectChoice /> : null}
      <Calendar token={token} />
    </header>
  );
}
