// The demo page: plays Outlook around the real task pane. The week's meetings come from the
// sandbox mailbox; the rep picks one, opens it as its organizer or as an attendee, edits its
// attendees and time (the pane hears of it as Outlook would tell it), and watches what the
// sandbox Salesforce org holds change beside it.
import { h } from "./dom";
import type { DemoHost, DemoItem, DemoPerson } from "./host";

interface DemoMeeting {
  id: string;
  subject: string;
  start: string;
  end: string;
  all_day: boolean;
  location: string;
  organizer: DemoPerson;
  attendees: (DemoPerson & { type: string })[];
}

interface Rep {
  email: string;
  name: string;
  time_zone: string;
  /** The mailbox's zone as browsers name it (IANA); null when outforce knows no such zone. */
  iana_time_zone?: string | null;
}

interface OrgView {
  events: Record<string, string | null>[];
  contacts: Record<string, string | null>[];
  leads: Record<string, string | null>[];
}

const params = new URLSearchParams(location.search);
let rep: Rep = { email: "", name: "", time_zone: "UTC" };
let meetings: DemoMeeting[] = [];
let current: DemoItem | null = null;
let handlers: Record<string, (() => void)[]> = {};
let token: { value: string; until: number } | null = null;

const host: DemoHost = {
  mode: params.get("mode") === "attendee" ? "attendee" : "organizer",
  theme: params.get("theme") === "dark" ? "dark" : "light",
  get userProfile() {
    return { emailAddress: rep.email, displayName: rep.name, timeZone: rep.time_zone };
  },
  item: () => current as DemoItem,
  save: () => {
    if (current) current.saved = true;
  },
  subscribe: (event, handler) => (handlers[event] ??= []).push(handler),
  async token() {
    if (token && token.until > Date.now()) return token.value;
    const response = await fetch("/demo/api/token", { method: "POST" });
    const body = await response.json();
    token = { value: body.access_token, until: Date.now() + (body.expires_in - 60) * 1000 };
    return token.value;
  },
};
(window as unknown as { outforceHost: DemoHost }).outforceHost = host;

const $ = (id: string) => document.getElementById(id) as HTMLElement;

function tell(event: string): void {
  (handlers[event] ?? []).forEach((handler) => handler());
}

function local(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** When a meeting is, in the rep's own zone (the mailbox's, as Outlook shows it), not the
 * browser's. */
function when(meeting: DemoMeeting): string {
  const start = new Date(meeting.start);
  const timeZone = rep.iana_time_zone ?? undefined;
  const day = start.toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "short", timeZone });
  const time = start.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", timeZoneName: "short", timeZone });
  return meeting.all_day ? `${day} · all day` : `${day} · ${time}`;
}

function openPane(): void {
  handlers = {};
  const frame = $("pane") as HTMLIFrameElement;
  frame.src = `/pane/?demo=${encodeURIComponent(current?.id ?? "")}&t=${Date.now()}`;
}

function open(meeting: DemoMeeting): void {
  current = {
    id: meeting.id,
    saved: true,
    subject: meeting.subject,
    start: meeting.start,
    end: meeting.end,
    allDay: meeting.all_day,
    location: meeting.location,
    organizer: meeting.organizer,
    required: meeting.attendees.filter((a) => a.type !== "optional"),
    optional: meeting.attendees.filter((a) => a.type === "optional"),
  };
  renderMeetings();
  renderEditor();
  openPane();
}

function renderMeetings(): void {
  $("meetings").replaceChildren(
    ...meetings.map((m) =>
      h(
        "li",
        {},
        h(
          "button",
          { class: `meeting${current?.id === m.id ? " current" : ""}`, "aria-pressed": String(current?.id === m.id), onclick: () => open(m) },
          h("strong", {}, m.subject),
          h("span", { class: "when" }, when(m)),
        ),
      ),
    ),
  );
}

function renderEditor(): void {
  const item = current;
  if (!item) return;
  const editable = host.mode === "organizer";
  const people = [...item.required, ...item.optional];
  $("editor").replaceChildren(
    h("h2", {}, item.subject),
    h(
      "div",
      { class: "times" },
      h("label", { for: "start" }, "Start"),
      h("input", {
        id: "start",
        type: "datetime-local",
        value: local(item.start),
        disabled: !editable,
        onchange: (e: Event) => {
          const start = new Date((e.target as HTMLInputElement).value);
          const length = new Date(item.end).getTime() - new Date(item.start).getTime();
          item.start = start.toISOString();
          item.end = new Date(start.getTime() + length).toISOString();
          renderEditor();
          tell("olkAppointmentTimeChanged");
        },
      }),
    ),
    h("h3", {}, `Attendees (${people.length})`),
    h(
      "ul",
      { class: "people" },
      ...people.map((p) =>
        h(
          "li",
          {},
          `${p.name} <${p.email}>`,
          editable
            ? h(
                "button",
                {
                  class: "link",
                  "aria-label": `Remove ${p.email}`,
                  onclick: () => {
                    item.required = item.required.filter((a) => a.email !== p.email);
                    item.optional = item.optional.filter((a) => a.email !== p.email);
                    renderEditor();
                    tell("olkRecipientsChanged");
                  },
                },
                "Remove",
              )
            : null,
        ),
      ),
    ),
    editable
      ? h(
          "form",
          {
            class: "add",
            onsubmit: (e: Event) => {
              e.preventDefault();
              const input = $("add-attendee") as HTMLInputElement;
              const email = input.value.trim();
              if (!email.includes("@")) return;
              item.required.push({ email, name: email });
              renderEditor();
              tell("olkRecipientsChanged");
            },
          },
          h("label", { for: "add-attendee" }, "Add attendee"),
          h("input", { id: "add-attendee", type: "email", placeholder: "name@company.example" }),
          h("button", { type: "submit" }, "Add"),
        )
      : h("p", { class: "muted" }, "As an attendee you see the meeting as it was sent."),
  );
}

function table(title: string, rows: Record<string, string | null>[], columns: string[]): HTMLElement {
  return h(
    "section",
    { "aria-label": title },
    h("h3", {}, `${title} (${rows.length})`),
    h(
      "table",
      {},
      h("thead", {}, h("tr", {}, ...columns.map((c) => h("th", {}, c)))),
      h("tbody", {}, ...rows.map((r) => h("tr", {}, ...columns.map((c) => h("td", {}, r[c] ?? ""))))),
    ),
  );
}

async function refreshOrg(): Promise<void> {
  try {
    const org: OrgView = await (await fetch("/demo/api/org")).json();
    $("org").replaceChildren(
      table("Events", org.events, ["Subject", "StartDateTime", "Who", "What"]),
      table("Contacts", org.contacts, ["Name", "Email", "Account"]),
      table("Leads", org.leads, ["Name", "Email", "Company"]),
    );
  } catch {
    // The next poll tries again.
  }
}

function controls(): void {
  for (const [name, value] of [
    ["mode", host.mode],
    ["theme", host.theme],
  ] as const) {
    const input = document.querySelector<HTMLInputElement>(`input[name=${name}][value=${value}]`);
    if (input) input.checked = true;
    document.querySelectorAll<HTMLInputElement>(`input[name=${name}]`).forEach((radio) =>
      radio.addEventListener("change", () => {
        (host as unknown as Record<string, string>)[name] = radio.value;
        document.documentElement.dataset.theme = host.theme;
        renderEditor();
        if (current) openPane();
      }),
    );
  }
  document.documentElement.dataset.theme = host.theme;
}

async function start(): Promise<void> {
  controls();
  const week = await (await fetch("/demo/api/meetings")).json();
  rep = week.rep;
  meetings = week.meetings;
  renderMeetings();
  const wanted = params.get("meeting");
  const first = meetings.find((m) => m.subject === wanted) ?? meetings.find((m) => m.attendees.length > 0);
  if (first) open(first);
  await refreshOrg();
  window.setInterval(() => void refreshOrg(), 2000);
}

void start();
