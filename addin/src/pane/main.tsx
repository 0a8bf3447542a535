// The task pane: reads the meeting open in Outlook, shows its attendees as Salesforce records,
// and relates and syncs it through the service's API.
import { render } from "preact";
import * as actions from "./actions";
import { Api } from "./api";
import { Auth } from "./auth";
import { applyTheme, debounce } from "./theme";
import { followChanges, isMeeting } from "./meeting";
import type { PaneConfig } from "./types";
import { App } from "./views/App";

const config: PaneConfig = JSON.parse(document.getElementById("outforce-config")?.textContent ?? "{}");
const root = document.getElementById("app") as HTMLElement;

async function start(): Promise<void> {
  applyTheme(Office.context.officeTheme);
  if (!isMeeting()) {
    root.innerHTML = "";
    const note = document.createElement("p");
    note.className = "muted";
    note.textContent = "Open a meeting to see its attendees in Salesforce.";
    root.append(note);
    return;
  }
  const auth = new Auth(config);
  actions.useApi(new Api(auth));
  root.innerHTML = "";
  render(<App token={(claims) => auth.token(claims)} />, root);
  await actions.loadMe();
  actions.followCalendar();
  await actions.load();
  followChanges(debounce(() => void actions.reread().catch(actions.fail), 400));
}

Office.onReady(() => {
  start().catch(actions.fail);
});
