// The foot of the pane, always in view: the one live region (what the pane is doing, what
// failed, where the meeting's sync stands and why), the count of records related, and Sync.
import * as actions from "../actions";
import { LINK_CODE, SYNC_STATE } from "../messages";
import * as store from "../store";

function SyncState() {
  const link = store.link.value;
  const instance = store.me.value?.salesforce.instance_url;
  const state = link?.state ?? "not_synced";
  const text = link && link.version !== "0" ? SYNC_STATE[state] : "This meeting is not in Salesforce yet.";
  return (
    <>
      <p id="sync-state" class={`state ${state}`} tabIndex={-1}>
        {text}
        {link?.error ? <span class="small block reason">{LINK_CODE[link.error]}</span> : null}
        {state === "synced" && link && link.who_ids_left_out > 0 ? (
          <span class="muted small block" id="who-left-out">
            Your Salesforce org relates an event to one contact or lead (Shared Activities is off): only the first was related.
          </span>
        ) : null}
      </p>
      {state === "synced" && link?.salesforce_event_id && instance ? (
        <a class="small" href={`${instance}/lightning/r/Event/${link.salesforce_event_id}/view`} target="_blank" rel="noopener">
          Open the Salesforce Event
        </a>
      ) : null}
    </>
  );
}

export function SyncBar() {
  const progress = store.progress.value;
  const error = store.error.value;
  const showSync = store.connected.value && store.meeting.value && store.attendees.value;
  const link = store.link.value;
  const count = store.related.value;
  // The live region stays in the page even when it has nothing to say (a region added with its
  // first message is often not read out); the bar shows only when it holds something.
  const empty = !progress && !error && !showSync;
  return (
    <footer class={empty ? "sync-bar empty" : "sync-bar"}>
      <div id="status" role="status" aria-live="polite">
        {progress ? (
          <p class="progress">
            <span class="spinner" aria-hidden="true" /> {progress}
          </p>
        ) : null}
        {error ? <p class="error">{error}</p> : null}
        {showSync ? <SyncState /> : null}
      </div>
      {showSync ? (
        <div class="row">
          {link?.state === "reconnect_needed" ? (
            <button id="reconnect" onClick={() => void actions.connect("production")}>
              Reconnect Salesforce
            </button>
          ) : null}
          <button class="primary" id="sync" disabled={store.syncing.value} onClick={() => void actions.sync()}>
            {store.syncing.value ? "Saving…" : link?.sync ? "Update in Salesforce" : "Sync to Salesforce"}
          </button>
          {link?.sync ? (
            <button id="unsync" onClick={() => void actions.unsync()}>
              Stop syncing
            </button>
          ) : null}
          <span class="muted small" id="related-count">
            {count} record{count === 1 ? "" : "s"} related
          </span>
        </div>
      ) : null}
    </footer>
  );
}
