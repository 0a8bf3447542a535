// The meeting's sync state as it changes: while the link is queued, the pane waits on the
// service (`GET …/link?wait=&after=`), which answers the moment the sync writes, so "Synced"
// shows within a second of the write rather than at the next poll. One wait at a time.
import { type Api, ApiError } from "./api";
import * as store from "./store";
import type { Link } from "./types";

/** Seconds one wait may last on the service (its maximum is 25). */
const WAIT_SECS = 20;

let running: symbol | null = null;

/** Follows the meeting's link until it is no longer queued; a newer call replaces an older. */
export function watchLink(api: Api, show: (link: Link) => void): void {
  const me = Symbol("watch");
  running = me;
  void (async () => {
    let failures = 0;
    while (running === me) {
      const link = store.link.value;
      if (!link || link.state !== "queued") break;
      const path = `/api/v1/events/${encodeURIComponent(link.outlook_event_id)}/link?wait=${WAIT_SECS}&after=${link.version}`;
      try {
        const next = await api.call<Link>("GET", path);
        if (running !== me) break;
        failures = 0;
        show(next);
      } catch (error) {
        // Too many waits, a stopping instance, the network: wait as told (or a little), then
        // ask again; the state shown stays until then.
        failures += 1;
        const wait = error instanceof ApiError && error.retryAfter ? error.retryAfter : Math.min(30, 2 ** failures);
        await new Promise((resolve) => window.setTimeout(resolve, wait * 1000));
      }
    }
    if (running === me) running = null;
  })();
}
