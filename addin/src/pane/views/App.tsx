// The whole pane. Preact keeps every element that stays across renders (keyed lists), so a
// field being typed in keeps its text, caret and focus; focus moves only when an action says
// where (store.focusTarget).
import { useEffect } from "preact/hooks";
import * as store from "../store";
import { Attendees } from "./Attendees";
import { Header } from "./Header";
import { History } from "./History";
import { SyncBar } from "./SyncBar";
import { What } from "./What";

/** Focuses the element an action named, once it is rendered (a few frames at most). */
function useFocusTarget(): void {
  const target = store.focusTarget.value;
  useEffect(() => {
    if (!target) return;
    let tries = 10;
    const attempt = () => {
      const element = document.getElementById(target);
      if (element) {
        element.focus();
        store.focusTarget.value = null;
      } else if (--tries > 0) requestAnimationFrame(attempt);
      else store.focusTarget.value = null;
    };
    requestAnimationFrame(attempt);
  }, [target]);
}

export function App({ token }: { token: (claims?: string) => Promise<string> }) {
  useFocusTarget();
  const meeting = store.meeting.value;
  const ready = store.connected.value && meeting;
  return (
    <>
      <div class="content">
        <Header token={token} />
        {meeting ? (
          <p class="meeting muted small">
            {meeting.subject || "(no subject)"} · {meeting.organizer ? "you organize it" : "you attend it"}
          </p>
        ) : null}
        {ready ? <Attendees /> : null}
        {ready && store.attendees.value ? <What /> : null}
        {ready ? <History /> : null}
      </div>
      <SyncBar />
    </>
  );
}
