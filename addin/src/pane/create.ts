// Creating a missing attendee in Salesforce from the pane: the preview of what would be
// written (names, company, the Account the rule finds), the rep's edits and Account pick, the
// save, and where the keyboard goes after each.
import { batch } from "@preact/signals";
import { ApiError } from "./api";
import { client, fail, match } from "./actions";
import { errorText } from "./messages";
import * as store from "./store";
import type { Person, Search, WhatRecord, WhoKind } from "./types";

export async function startCreate(email: string, name: string, kind: WhoKind): Promise<void> {
  store.creating.value = {
    email,
    name,
    kind,
    person: null,
    saving: false,
    error: null,
    duplicateId: null,
    account: null,
    accountSearch: { text: "", results: null, busy: false, error: null },
  };
  try {
    const person = await client().call<Person>("POST", "/api/v1/people/preview", { email, name });
    const creating = store.creating.value;
    if (creating?.email === email) {
      store.creating.value = { ...creating, person };
      store.focusTarget.value = "create-first_name";
    }
  } catch (error) {
    const creating = store.creating.value;
    if (creating) store.creating.value = { ...creating, error: errorText(error) };
  }
}

export function editCreate(field: "first_name" | "last_name" | "company", value: string): void {
  const creating = store.creating.value;
  if (creating?.person) store.creating.value = { ...creating, person: { ...creating.person, [field]: value } };
}

export async function saveCreate(): Promise<void> {
  const creating = store.creating.value;
  if (!creating?.person) return;
  store.creating.value = { ...creating, saving: true, error: null };
  const { first_name, last_name, company } = creating.person;
  try {
    const created = await client().call<Person>("POST", `/api/v1/${creating.kind}s`, {
      email: creating.email,
      name: creating.name,
      first_name,
      last_name,
      company,
      account_id: creating.kind === "contact" ? creating.account?.id ?? null : null,
    });
    batch(() => {
      store.creating.value = null;
      if (created.id) {
        store.remember([[created.id, [created.first_name, created.last_name].filter(Boolean).join(" ")]]);
        if (!store.whyNot(created.id, creating.kind)) {
          store.touched.value = true;
          store.setWho(new Map(store.who.value).set(created.id, creating.kind));
        }
      }
    });
    await match();
    if (created.id) store.focusTarget.value = `who-${created.id}`;
  } catch (error) {
    const now = store.creating.value ?? creating;
    store.creating.value =
      error instanceof ApiError
        ? { ...now, saving: false, error: error.field ? `${error.field}: ${error.message}` : error.message, duplicateId: error.existingId }
        : { ...now, saving: false, error: String(error) };
  }
}

let accountTimer: number | undefined;

/** The Account search of a new Contact whose company the rule found no Account for. */
export function searchAccount(text: string): void {
  const creating = store.creating.value;
  if (!creating) return;
  store.creating.value = { ...creating, accountSearch: { ...creating.accountSearch, text, busy: text.trim().length >= 2 } };
  window.clearTimeout(accountTimer);
  accountTimer = window.setTimeout(() => void runAccountSearch(text.trim()), 250);
}

async function runAccountSearch(text: string): Promise<void> {
  const done = (results: WhatRecord[] | null, error: string | null) => {
    const now = store.creating.value;
    if (now && now.accountSearch.text.trim() === text) store.creating.value = { ...now, accountSearch: { text: now.accountSearch.text, results, busy: false, error } };
  };
  if (text.length < 2) return done(null, null);
  try {
    const found = await client().call<Search>("GET", `/api/v1/records/search?q=${encodeURIComponent(text)}`);
    done(found.records.filter((r) => r.type === "account"), null);
  } catch (error) {
    done(null, errorText(error));
  }
}

export function pickAccount(account: { id: string; name: string } | null): void {
  const creating = store.creating.value;
  if (!creating) return;
  batch(() => {
    store.creating.value = { ...creating, account, accountSearch: { text: "", results: null, busy: false, error: null } };
    store.focusTarget.value = account ? "create-account" : "create-account-search";
  });
}

export function cancelCreate(): void {
  const email = store.creating.value?.email;
  batch(() => {
    store.creating.value = null;
    if (email) store.focusTarget.value = `create-contact-${email}`;
  });
}

export function useExisting(id: string): void {
  const kind = store.creating.value?.kind ?? "contact";
  batch(() => {
    store.creating.value = null;
    if (!store.whyNot(id, kind)) {
      store.touched.value = true;
      store.setWho(new Map(store.who.value).set(id, kind));
    }
  });
  void match()
    .then(() => {
      store.focusTarget.value = `who-${id}`;
    })
    .catch(fail);
}
