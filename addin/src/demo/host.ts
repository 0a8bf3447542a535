// What the demo page hands the stand-in Office.js in the pane's frame.

export interface DemoPerson {
  email: string;
  name: string;
}

export interface DemoItem {
  /** The meeting's id (Graph's immutable id: already a REST id). */
  id: string;
  /** False for a meeting the organizer has not saved yet. */
  saved: boolean;
  subject: string;
  start: string;
  end: string;
  allDay: boolean;
  location: string;
  organizer: DemoPerson;
  required: DemoPerson[];
  optional: DemoPerson[];
}

export interface DemoHost {
  mode: "organizer" | "attendee";
  theme: "light" | "dark";
  userProfile: { emailAddress: string; displayName: string; timeZone: string };
  item(): DemoItem;
  save(): void;
  subscribe(event: string, handler: () => void): void;
  token(): Promise<string>;
}
