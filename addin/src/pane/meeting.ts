// The meeting open in Outlook, through Office.js, in both modes: the organizer's form
// (compose: every value through getAsync, the id once the item is saved) and an attendee's
// (read: values as properties). Changes while the pane is open are followed where the host
// supports it.
import type { Attendee, Meeting } from "./types";

type Item = Office.MessageRead & Office.AppointmentRead & Office.AppointmentCompose;

function item(): Item {
  return Office.context.mailbox.item as unknown as Item;
}

function get<T>(read: (callback: (result: Office.AsyncResult<T>) => void) => void): Promise<T> {
  return new Promise((resolve, reject) =>
    read((result) =>
      result.status === Office.AsyncResultStatus.Succeeded
        ? resolve(result.value)
        : reject(new Error(result.error?.message ?? "Outlook did not answer")),
    ),
  );
}

function people(list: Office.EmailAddressDetails[] | undefined): Attendee[] {
  return (list ?? []).map((p) => ({ email: p.emailAddress, name: p.displayName || p.emailAddress }));
}

/** Whether the open item is a meeting the pane edits as its organizer. */
export function isOrganizerForm(): boolean {
  const current = item();
  return typeof (current.start as unknown as Office.Time | undefined)?.getAsync === "function";
}

export function isMeeting(): boolean {
  const current = item();
  return (
    current?.itemType === Office.MailboxEnums.ItemType.Appointment ||
    (current?.itemType === Office.MailboxEnums.ItemType.Message &&
      String((current as unknown as { itemClass?: string }).itemClass ?? "").startsWith("IPM.Schedule.Meeting"))
  );
}

function restId(ewsId: string): string {
  const mailbox = Office.context.mailbox;
  return mailbox.convertToRestId ? mailbox.convertToRestId(ewsId, Office.MailboxEnums.RestVersion.v2_0) : ewsId;
}

function dedup(list: Attendee[]): Attendee[] {
  const seen = new Set<string>();
  return list.filter((a) => {
    const key = a.email.toLowerCase();
    if (!a.email || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export async function readMeeting(): Promise<Meeting> {
  const current = item();
  const timeZone = Office.context.mailbox.userProfile.timeZone;
  if (isOrganizerForm()) {
    const [subject, start, end, location, required, optional] = await Promise.all([
      get<string>((cb) => current.subject.getAsync(cb)),
      get<Date>((cb) => current.start.getAsync(cb)),
      get<Date>((cb) => current.end.getAsync(cb)),
      get<string>((cb) => current.location.getAsync(cb)),
      get<Office.EmailAddressDetails[]>((cb) => current.requiredAttendees.getAsync(cb)),
      get<Office.EmailAddressDetails[]>((cb) => current.optionalAttendees.getAsync(cb)),
    ]);
    // isAllDayEvent is Mailbox 1.11: older hosts say nothing, and the pane does not guess.
    const allDayProperty = (current as unknown as { isAllDayEvent?: { getAsync(callback: (result: Office.AsyncResult<boolean>) => void): void } }).isAllDayEvent;
    const allDay = allDayProperty?.getAsync
      ? await get<boolean>((cb) => allDayProperty.getAsync(cb)).catch(() => null)
      : null;
    return {
      restId: await savedComposeId(),
      subject,
      start: new Date(start),
      end: new Date(end),
      allDay,
      location,
      timeZone,
      attendees: dedup([...people(required), ...people(optional)]),
      organizer: true,
    };
  }
  const read = current as unknown as Office.AppointmentRead;
  const organizer = read.organizer ? [{ email: read.organizer.emailAddress, name: read.organizer.displayName }] : [];
  const message = current as unknown as Office.MessageRead;
  return {
    restId: current.itemId ? restId(current.itemId) : null,
    subject: read.subject ?? "",
    start: new Date(read.start as unknown as Date),
    end: new Date(read.end as unknown as Date),
    allDay: allDayOf(read),
    location: (read.location as unknown as string) ?? "",
    timeZone,
    attendees: dedup([
      ...organizer,
      ...people(read.requiredAttendees ?? message.to),
      ...people(read.optionalAttendees ?? message.cc),
    ]),
    organizer: false,
  };
}

/** Whether an attendee's meeting is all day, when the host says (Mailbox 1.11). */
function allDayOf(read: Office.AppointmentRead): boolean | null {
  const value = (read as unknown as { isAllDayEvent?: unknown }).isAllDayEvent;
  return typeof value === "boolean" ? value : null;
}

/** The organizer's meeting's id when it was saved before (getItemIdAsync, Mailbox 1.8). */
async function savedComposeId(): Promise<string | null> {
  const compose = item() as unknown as Office.AppointmentCompose;
  if (!compose.getItemIdAsync) return null;
  const id = await get<string>((cb) => compose.getItemIdAsync(cb)).catch(() => "");
  return id ? restId(id) : null;
}

/** The meeting's REST id; the organizer's form is saved first when it has none yet. */
export async function ensureRestId(): Promise<string> {
  const current = item();
  if (current.itemId) return restId(current.itemId);
  const compose = current as unknown as Office.AppointmentCompose;
  const id = compose.getItemIdAsync
    ? await get<string>((cb) => compose.getItemIdAsync(cb)).catch(() => "")
    : "";
  return restId(id || (await get<string>((cb) => compose.saveAsync(cb))));
}

/** Calls `changed` when the attendees or the time change while the pane is open. */
export function followChanges(changed: () => void): void {
  const current = item();
  const events = [Office.EventType.RecipientsChanged, Office.EventType.AppointmentTimeChanged];
  for (const event of events) {
    if (current.addHandlerAsync) current.addHandlerAsync(event, changed);
  }
}
