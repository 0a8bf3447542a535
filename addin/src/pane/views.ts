// The pane's sections, rendered from the state. Every control is a real button, checkbox or
// input with a label, reachable with Tab and used with Space or Enter.
import { h, spinner } from "./dom";
import { ACCOUNT_RULE, SYNC_STATE, describe, explainLink } from "./messages";
import { type State, excluded, hasLead, whyNot } from "./state";
import type { AttendeeMatches, Match, WhatRecord } from "./types";

export interface Actions {
  connect(): void;
  signInForCalendar(): void;
  toggleWho(id: string, kind: "contact" | "lead"): void;
  startCreate(email: string, name: string, kind: "contact" | "lead"): void;
  editCreate(field: "first_name" | "last_name" | "company", value: string): void;
  saveCreate(): void;
  cancelCreate(): void;
  useExisting(id: string): void;
  search(text: string): void;
  chooseWhat(record: WhatRecord | null): void;
  sync(): void;
  unsync(): void;
}

function header(state: State, actions: Actions): HTMLElement {
  const sf = state.me?.salesforce;
  const connected = sf?.state === "connected";
  return h(
    "header",
    { class: "header" },
    h("h1", {}, "Salesforce"),
    sf
      ? h(
          "p",
          { class: `chip ${connected ? "ok" : "warn"}`, id: "connection-state" },
          connected ? "Connected" : sf.state === "reconnect_needed" ? "Reconnect needed" : "Not connected",
        )
      : null,
    sf && !connected && sf.mode !== "org_wide"
      ? h("button", { class: "primary", id: "connect", onclick: () => actions.connect() }, "Connect Salesforce")
      : null,
    calendar(state, actions),
  );
}

/** Whether the background sync follows the rep's Outlook calendar, and how to let it. */
function calendar(state: State, actions: Actions): HTMLElement | null {
  const graph = state.me?.graph;
  if (!graph) return null;
  if (graph.claims) {
    return h(
      "p",
      { class: "small", id: "calendar-state" },
      "Your organization asks you to sign in again before outforce can follow your calendar. ",
      h("button", { id: "calendar-sign-in", onclick: () => actions.signInForCalendar() }, "Sign in again"),
    );
  }
  const followed = graph.watched && !graph.error;
  const text = followed
    ? "Calendar followed: changes in Outlook reach Salesforce by themselves."
    : graph.error
      ? "Your calendar cannot be read yet: your admin can see why."
      : "Connecting your calendar…";
  return h("p", { class: `small ${followed ? "" : "muted"}`, id: "calendar-state" }, text);
}

function matchLine(state: State, match: Match, actions: Actions): HTMLElement {
  const id = `who-${match.id}`;
  const blocked = whyNot(state, match.id, match.kind);
  const where = match.kind === "contact" ? match.account?.name : match.company;
  return h(
    "div",
    { class: "match" },
    h("input", {
      type: "checkbox",
      id,
      checked: state.who.has(match.id),
      disabled: Boolean(blocked),
      "aria-describedby": blocked ? `${id}-why` : undefined,
      onchange: () => actions.toggleWho(match.id, match.kind),
    }),
    h(
      "label",
      { for: id },
      h("span", { class: `kind ${match.kind}` }, match.kind === "contact" ? "Contact" : "Lead"),
      " ",
      h("strong", {}, match.name),
      where ? h("span", { class: "muted" }, ` · ${where}`) : null,
      h(
        "span",
        { class: "muted small block" },
        [match.owner ? `Owner: ${match.owner.name}` : null, match.reason === "extra_email" ? `matched on ${match.field}` : "matched on email"]
          .filter(Boolean)
          .join(" · "),
      ),
    ),
    blocked ? h("p", { class: "hint small", id: `${id}-why` }, blocked) : null,
  );
}

function createForm(state: State, actions: Actions): HTMLElement | null {
  const creating = state.creating;
  if (!creating) return null;
  const person = creating.person;
  const field = (name: "first_name" | "last_name" | "company", label: string, value: string | null) =>
    h(
      "div",
      { class: "field" },
      h("label", { for: `create-${name}` }, label),
      h("input", {
        id: `create-${name}`,
        value: value ?? "",
        oninput: (e: Event) => actions.editCreate(name, (e.target as HTMLInputElement).value),
      }),
    );
  return h(
    "form",
    {
      class: "create",
      "aria-label": `New ${creating.kind} for ${creating.email}`,
      onsubmit: (e: Event) => {
        e.preventDefault();
        actions.saveCreate();
      },
    },
    h("h3", {}, `New ${creating.kind === "contact" ? "Contact" : "Lead"}`),
    person
      ? h(
          "div",
          {},
          field("first_name", "First name", person.first_name),
          field("last_name", "Last name", person.last_name),
          field("company", "Company", person.company),
          creating.kind === "contact"
            ? h(
                "p",
                { class: "small", id: "create-account" },
                "Account: ",
                h("strong", {}, person.account.account?.name ?? "none"),
                h("span", { class: "muted" }, ` (${ACCOUNT_RULE[person.account.rule]})`),
              )
            : null,
        )
      : spinner("Looking for the Account…"),
    creating.error ? h("p", { class: "error", role: "alert" }, creating.error) : null,
    creating.duplicateId
      ? h("button", { type: "button", onclick: () => actions.useExisting(creating.duplicateId ?? "") }, "Relate the existing record")
      : null,
    h(
      "div",
      { class: "row" },
      h("button", { class: "primary", type: "submit", disabled: !person || creating.saving }, creating.saving ? "Saving…" : "Save"),
      h("button", { type: "button", onclick: () => actions.cancelCreate() }, "Cancel"),
    ),
  );
}

function attendeeItem(state: State, attendee: AttendeeMatches, actions: Actions): HTMLElement {
  const name = attendee.name || attendee.email;
  const stranger = attendee.matches.length === 0 && !attendee.colleague;
  return h(
    "li",
    { class: "attendee", "data-email": attendee.email },
    h("div", { class: "who" }, h("strong", {}, name), h("span", { class: "muted small block" }, attendee.email)),
    attendee.colleague ? h("p", { class: "tag" }, "Colleague") : null,
    ...attendee.matches.map((m) => matchLine(state, m, actions)),
    stranger ? h("p", { class: "muted small" }, "Not in Salesforce.") : null,
    stranger
      ? h(
          "div",
          { class: "row" },
          h("button", { onclick: () => actions.startCreate(attendee.email, name, "contact"), "aria-label": `Create contact for ${attendee.email}` }, "Create contact"),
          h("button", { onclick: () => actions.startCreate(attendee.email, name, "lead"), "aria-label": `Create lead for ${attendee.email}` }, "Create lead"),
        )
      : null,
    state.creating?.email === attendee.email ? createForm(state, actions) : null,
  );
}

function attendees(state: State, actions: Actions): HTMLElement {
  const mine = Office.context.mailbox.userProfile.emailAddress.toLowerCase();
  const shown = state.attendees.filter((a) => a.email !== mine && !a.excluded && !excluded(state.me, a.email));
  return h(
    "section",
    { "aria-labelledby": "attendees-title" },
    h("h2", { id: "attendees-title" }, `Attendees (${shown.length})`),
    shown.length ? h("ul", { class: "attendees" }, ...shown.map((a) => attendeeItem(state, a, actions))) : h("p", { class: "muted" }, "No attendees yet."),
  );
}

function whatSection(state: State, actions: Actions): HTMLElement {
  const blocked = hasLead(state);
  const results = state.search.results;
  return h(
    "section",
    { "aria-labelledby": "what-title" },
    h("h2", { id: "what-title" }, "Related to"),
    state.what
      ? h(
          "p",
          { class: "chosen" },
          h("span", { class: `kind ${state.what.type}` }, state.what.type),
          " ",
          h("strong", {}, state.what.name),
          " ",
          h("button", { class: "link", onclick: () => actions.chooseWhat(null), "aria-label": `Remove ${state.what.name}` }, "Remove"),
        )
      : null,
    h("label", { for: "what-search" }, "Search Accounts, Opportunities and Cases"),
    h("input", {
      id: "what-search",
      type: "search",
      value: state.search.text,
      disabled: blocked,
      "aria-describedby": blocked ? "what-why" : undefined,
      oninput: (e: Event) => actions.search((e.target as HTMLInputElement).value),
    }),
    blocked ? h("p", { class: "hint small", id: "what-why" }, "A meeting with a Lead has no Account, Opportunity or Case.") : null,
    state.search.busy ? spinner("Searching…") : null,
    state.search.error ? h("p", { class: "error", role: "alert" }, state.search.error) : null,
    results && !state.search.busy
      ? results.length
        ? h(
            "ul",
            { class: "results", "aria-label": "Search results" },
            ...results.map((r) =>
              h(
                "li",
                {},
                h(
                  "button",
                  { class: "result", onclick: () => actions.chooseWhat(r) },
                  h("span", { class: `kind ${r.type}` }, r.type),
                  " ",
                  r.name,
                  r.detail ? h("span", { class: "muted small" }, ` · ${r.detail}`) : null,
                ),
              ),
            ),
          )
        : h("p", { class: "muted small" }, "Nothing found.")
      : null,
  );
}

function syncSection(state: State, actions: Actions): HTMLElement {
  const link = state.link;
  const instance = state.me?.salesforce.instance_url;
  const selected = state.who.size + (state.what ? 1 : 0);
  return h(
    "section",
    { class: "sync", "aria-labelledby": "sync-title" },
    h("h2", { id: "sync-title" }, "Sync"),
    h(
      "p",
      { id: "sync-state", class: `state ${link?.state ?? "none"}`, role: "status" },
      link ? SYNC_STATE[link.state] : "This meeting is not in Salesforce yet.",
    ),
    link?.state === "synced" && link.salesforce_event_id && instance
      ? h("a", { href: `${instance}/lightning/r/Event/${link.salesforce_event_id}/view`, target: "_blank", rel: "noopener" }, "Open the Salesforce Event")
      : null,
    link?.state === "synced" && link.who_ids_left_out > 0
      ? h(
          "p",
          { class: "muted small", id: "who-left-out" },
          "Your Salesforce org relates an event to one contact or lead (Shared Activities is off): only the first was related.",
        )
      : null,
    link?.state === "failed" && link.error ? h("p", { class: "error" }, explainLink(link.error)) : null,
    link?.state === "queued" && link.error === "salesforce_api_budget_paused"
      ? h("p", { class: "muted small" }, "Your org has used almost all of today's Salesforce API calls: this meeting syncs as soon as more are available.")
      : null,
    link?.state === "reconnect_needed" ? h("button", { onclick: () => actions.connect() }, "Reconnect Salesforce") : null,
    h(
      "div",
      { class: "row" },
      h(
        "button",
        { class: "primary", id: "sync", disabled: state.syncing, onclick: () => actions.sync() },
        state.syncing ? "Saving…" : link?.sync ? "Update in Salesforce" : "Sync to Salesforce",
      ),
      link?.sync ? h("button", { id: "unsync", onclick: () => actions.unsync() }, "Stop syncing") : null,
    ),
    h("p", { class: "muted small" }, `${selected} record${selected === 1 ? "" : "s"} related.`),
    history(state),
  );
}

/** The sync's last decisions about the meeting, newest first: why it is as it is. */
function history(state: State): HTMLElement | null {
  if (!state.history.length) return null;
  const last = state.history.slice(-5).reverse();
  return h(
    "details",
    { id: "sync-history" },
    h("summary", {}, "What the sync did"),
    h(
      "ol",
      { class: "history" },
      ...last.map((entry) =>
        h(
          "li",
          {},
          h("time", { datetime: entry.at, class: "muted small block" }, new Date(entry.at).toLocaleString()),
          describe(entry),
        ),
      ),
    ),
  );
}

export function render(root: HTMLElement, state: State, actions: Actions): void {
  const active = document.activeElement;
  const focused = active?.id;
  // A field being typed in keeps its caret: the new one starts with it at the beginning.
  const caret = active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement
    ? { start: active.selectionStart, end: active.selectionEnd }
    : null;
  const connected = state.me?.salesforce.state === "connected";
  const sections: (HTMLElement | null | false)[] = [
    header(state, actions),
    state.error ? h("p", { class: "error", role: "alert" }, state.error) : null,
    state.progress ? spinner(state.progress) : null,
    state.meeting ? h("p", { class: "meeting muted small" }, `${state.meeting.subject || "(no subject)"} · ${state.meeting.organizer ? "you organize it" : "you attend it"}`) : null,
    connected && state.meeting ? attendees(state, actions) : null,
    connected && state.meeting ? whatSection(state, actions) : null,
    connected && state.meeting ? syncSection(state, actions) : null,
  ];
  root.replaceChildren(...sections.filter((s): s is HTMLElement => Boolean(s)));
  // Keep the keyboard where it was across renders.
  const again = focused ? document.getElementById(focused) : null;
  again?.focus();
  if (caret && (again instanceof HTMLInputElement || again instanceof HTMLTextAreaElement)) {
    try {
      again.setSelectionRange(caret.start, caret.end);
    } catch {
      // An input type without a caret (checkbox, email in some engines): focus is enough.
    }
  }
}
