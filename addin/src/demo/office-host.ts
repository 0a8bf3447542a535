// The demo's stand-in for Office.js: the part of it the pane uses (the item in both modes with
// getAsync and change handlers, the user profile, the theme, requirement sets, getAccessToken,
// the dialog API and convertToRestId), driven by the demo page that plays Outlook around the
// pane. The service serves it in place of Microsoft's Office.js in demo mode only
// (addin.office_js_url). In the Connect dialog's window it provides messageParent.
import type { DemoHost, DemoItem } from "./host";

type Callback<T> = (result: { status: string; value: T; error?: { code: number; message: string } }) => void;

const Succeeded = "succeeded";
const host: DemoHost | undefined = (() => {
  try {
    return (window.parent !== window ? (window.parent as unknown as { outforceHost?: DemoHost }).outforceHost : undefined);
  } catch {
    return undefined;
  }
})();

function done<T>(callback: Callback<T> | undefined, value: T): void {
  setTimeout(() => callback?.({ status: Succeeded, value }), 0);
}

function emails(list: DemoItem["required"]) {
  return list.map((a) => ({ emailAddress: a.email, displayName: a.name, recipientType: "user" }));
}

/** A property the organizer's form reads with getAsync. */
function asyncProperty<T>(read: () => T) {
  return { getAsync: (options: unknown, callback?: Callback<T>) => done((callback ?? (options as Callback<T>)), read()) };
}

function composeItem(h: DemoHost) {
  const item = () => h.item();
  return {
    itemType: "appointment",
    get itemId() {
      return item().saved ? item().id : null;
    },
    subject: asyncProperty(() => item().subject),
    start: asyncProperty(() => new Date(item().start)),
    end: asyncProperty(() => new Date(item().end)),
    location: asyncProperty(() => item().location),
    isAllDayEvent: asyncProperty(() => item().allDay),
    requiredAttendees: asyncProperty(() => emails(item().required)),
    optionalAttendees: asyncProperty(() => emails(item().optional)),
    getItemIdAsync: (options: unknown, callback?: Callback<string>) => {
      const reply = (callback ?? (options as Callback<string>)) as Callback<string>;
      if (item().saved) done(reply, item().id);
      else setTimeout(() => reply({ status: "failed", value: "", error: { code: 9051, message: "The item has not been saved." } }), 0);
    },
    saveAsync: (options: unknown, callback?: Callback<string>) => {
      h.save();
      done(callback ?? (options as Callback<string>), item().id);
    },
    addHandlerAsync: (event: string, handler: () => void, options?: unknown, callback?: Callback<void>) => {
      h.subscribe(event, handler);
      done(typeof options === "function" ? (options as Callback<void>) : callback, undefined);
    },
  };
}

function readItem(h: DemoHost) {
  const item = h.item();
  return {
    itemType: "appointment",
    itemId: item.id,
    subject: item.subject,
    start: new Date(item.start),
    end: new Date(item.end),
    location: item.location,
    isAllDayEvent: item.allDay,
    organizer: { emailAddress: item.organizer.email, displayName: item.organizer.name },
    requiredAttendees: emails(item.required),
    optionalAttendees: emails(item.optional),
  };
}

const THEMES = {
  light: { bodyBackgroundColor: "#ffffff", bodyForegroundColor: "#242424", controlBackgroundColor: "#ffffff", controlForegroundColor: "#242424" },
  dark: { bodyBackgroundColor: "#292929", bodyForegroundColor: "#ffffff", controlBackgroundColor: "#1f1f1f", controlForegroundColor: "#ffffff" },
};

type Handler = (arg: unknown) => void;

function displayDialogAsync(url: string, _options: unknown, callback: Callback<unknown>): void {
  const popup = window.open(url, "outforce-dialog", "popup,width=480,height=640");
  if (!popup) {
    setTimeout(() => callback({ status: "failed", value: null, error: { code: 12009, message: "The dialog was blocked." } }), 0);
    return;
  }
  const handlers: Record<string, Handler[]> = {};
  const fire = (event: string, arg: unknown) => (handlers[event] ?? []).forEach((h) => h(arg));
  const onMessage = (event: MessageEvent) => {
    if (event.origin !== location.origin || typeof event.data?.outforceDialogMessage !== "string") return;
    fire("dialogMessageReceived", { message: event.data.outforceDialogMessage, origin: event.origin });
  };
  window.addEventListener("message", onMessage);
  const watch = window.setInterval(() => {
    if (popup.closed) {
      window.clearInterval(watch);
      window.removeEventListener("message", onMessage);
      fire("dialogEventReceived", { error: 12006 });
    }
  }, 300);
  const dialog = {
    addEventHandler: (event: string, handler: Handler) => (handlers[event] ??= []).push(handler),
    close: () => {
      window.clearInterval(watch);
      window.removeEventListener("message", onMessage);
      popup.close();
    },
  };
  setTimeout(() => callback({ status: Succeeded, value: dialog }), 0);
}

const ready = Promise.resolve({ host: "Outlook", platform: "OfficeOnline" });

const Office = {
  onReady: (callback?: (info: unknown) => void) => ready.then((info) => (callback?.(info), info)),
  AsyncResultStatus: { Succeeded, Failed: "failed" },
  EventType: {
    RecipientsChanged: "olkRecipientsChanged",
    AppointmentTimeChanged: "olkAppointmentTimeChanged",
    DialogMessageReceived: "dialogMessageReceived",
    DialogEventReceived: "dialogEventReceived",
  },
  MailboxEnums: { ItemType: { Message: "message", Appointment: "appointment" }, RestVersion: { v2_0: "v2.0" } },
  context: {
    get officeTheme() {
      return THEMES[host?.theme ?? "light"];
    },
    requirements: {
      // Nested App Authentication is the real host's; the demo signs in with getAccessToken.
      isSetSupported: (name: string) => name === "Mailbox",
    },
    mailbox: {
      get item() {
        if (!host) return null;
        return host.mode === "organizer" ? composeItem(host) : readItem(host);
      },
      get userProfile() {
        return host?.userProfile ?? { emailAddress: "", displayName: "", timeZone: "UTC" };
      },
      // EWS ids become REST ids: URL-safe base64.
      convertToRestId: (id: string) => id.replace(/\//g, "-").replace(/\+/g, "_"),
    },
    ui: {
      displayDialogAsync,
      messageParent: (message: string) => {
        window.opener?.postMessage({ outforceDialogMessage: message }, location.origin);
      },
    },
  },
  auth: {
    getAccessToken: () => (host ? host.token() : Promise.reject(new Error("no host"))),
  },
};

(window as unknown as { Office: unknown }).Office = Office;
