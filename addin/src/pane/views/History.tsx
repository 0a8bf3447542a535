// The sync's last decisions about the meeting, newest first: why it is as it is.
import { describe } from "../messages";
import * as store from "../store";

export function History() {
  const entries = store.history.value;
  if (!entries.length) return null;
  const last = entries.slice(-5).reverse();
  return (
    <details id="sync-history">
      <summary>What the sync did</summary>
      <ol class="history">
        {last.map((entry) => (
          <li key={`${entry.at}-${entry.action}`}>
            <time dateTime={entry.at} class="muted small block">
              {new Date(entry.at).toLocaleString()}
            </time>
            {describe(entry)}
          </li>
        ))}
      </ol>
    </details>
  );
}
