// The meeting's attendees as Salesforce knows them: each one's matches to relate, or why none,
// and a Contact or Lead to create for a stranger.
import * as actions from "../actions";
import * as create from "../create";
import { ACCOUNT_RULE, NAMES_FROM } from "../messages";
import * as store from "../store";
import type { AttendeeMatches, Match } from "../types";

function MatchLine({ match }: { match: Match }) {
  const id = `who-${match.id}`;
  const blocked = store.whyNot(match.id, match.kind);
  const where = match.kind === "contact" ? match.account?.name : match.company;
  const how = [match.owner ? `Owner: ${match.owner.name}` : null, match.reason === "extra_email" ? `matched on ${match.field}` : "matched on email"]
    .filter(Boolean)
    .join(" · ");
  return (
    <div class="match">
      <input
        type="checkbox"
        id={id}
        checked={store.who.value.has(match.id)}
        disabled={Boolean(blocked)}
        aria-describedby={blocked ? `${id}-why` : undefined}
        onChange={() => actions.toggleWho(match.id, match.kind)}
      />
      <label for={id}>
        <span class={`kind ${match.kind}`}>{match.kind === "contact" ? "Contact" : "Lead"}</span> <strong>{match.name}</strong>
        {where ? <span class="muted"> · {where}</span> : null}
        <span class="muted small block">{how}</span>
      </label>
      {blocked ? (
        <p class="hint small" id={`${id}-why`}>
          {blocked}
        </p>
      ) : null}
    </div>
  );
}

/** The Account a new Contact goes under: the rule's, or, when it found none, one the rep picks
 * (or none, said plainly). */
function AccountChoice() {
  const creating = store.creating.value;
  const person = creating?.person;
  if (!creating || !person) return null;
  if (creating.account) {
    return (
      <p class="small" id="create-account" tabIndex={-1}>
        Account: <strong>{creating.account.name}</strong> <span class="muted">({ACCOUNT_RULE.chosen_by_rep})</span>{" "}
        <button type="button" class="link" onClick={() => create.pickAccount(null)} aria-label={`Remove ${creating.account.name}`}>
          Remove
        </button>
      </p>
    );
  }
  const found = person.account.account;
  if (found) {
    return (
      <p class="small" id="create-account" tabIndex={-1}>
        Account: <strong>{found.name}</strong>
        <span class="muted"> ({ACCOUNT_RULE[person.account.rule]})</span>
      </p>
    );
  }
  const search = creating.accountSearch;
  return (
    <div class="field">
      <p class="small" id="create-account" tabIndex={-1}>
        No Account found{person.company ? ` for “${person.company}”` : ""}: the Contact is saved without one unless you pick it.
      </p>
      <label for="create-account-search">Pick an Account</label>
      <input id="create-account-search" type="search" autocomplete="off" value={search.text} onInput={(e) => create.searchAccount(e.currentTarget.value)} />
      {search.error ? <p class="error">{search.error}</p> : null}
      {search.results && !search.busy ? (
        search.results.length ? (
          <ul class="results" aria-label="Accounts found">
            {search.results.map((r) => (
              <li key={r.id}>
                <button type="button" class="result" onClick={() => create.pickAccount({ id: r.id, name: r.name })}>
                  {r.name}
                  {r.detail ? <span class="muted small"> · {r.detail}</span> : null}
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted small">No Account found.</p>
        )
      ) : null}
    </div>
  );
}

function CreateForm() {
  const creating = store.creating.value;
  if (!creating) return null;
  const person = creating.person;
  const field = (name: "first_name" | "last_name" | "company", label: string, value: string | null | undefined) => (
    <div class="field">
      <label for={`create-${name}`}>{label}</label>
      <input id={`create-${name}`} value={value ?? ""} onInput={(e) => create.editCreate(name, e.currentTarget.value)} />
    </div>
  );
  const title = creating.kind === "contact" ? "Contact" : "Lead";
  return (
    <form
      class="create"
      aria-label={`New ${creating.kind} for ${creating.email}`}
      onSubmit={(e) => {
        e.preventDefault();
        void create.saveCreate();
      }}
    >
      <h3>New {title}</h3>
      {person ? (
        <div>
          {NAMES_FROM[person.names_from] ? (
            <p class="muted small" id="create-names-from">
              {NAMES_FROM[person.names_from]}
            </p>
          ) : null}
          {field("first_name", "First name", person.first_name)}
          {field("last_name", "Last name", person.last_name)}
          {field("company", "Company", person.company)}
          {creating.kind === "contact" ? <AccountChoice /> : null}
        </div>
      ) : (
        <p class="progress">
          <span class="spinner" aria-hidden="true" /> Looking for the Account…
        </p>
      )}
      {creating.error ? <p class="error">{creating.error}</p> : null}
      {creating.duplicateId ? (
        <button type="button" onClick={() => create.useExisting(creating.duplicateId ?? "")}>
          Relate the existing record
        </button>
      ) : null}
      <div class="row">
        <button class="primary" type="submit" disabled={!person || creating.saving}>
          {creating.saving ? "Saving…" : "Save"}
        </button>
        <button type="button" onClick={() => create.cancelCreate()}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function AttendeeItem({ attendee }: { attendee: AttendeeMatches }) {
  const name = attendee.name || attendee.email;
  const stranger = !attendee.problem && attendee.matches.length === 0 && !attendee.colleague;
  return (
    <li class="attendee" data-email={attendee.email}>
      <div class="who">
        <strong>{name}</strong>
        <span class="muted small block">{attendee.email}</span>
      </div>
      {attendee.problem ? <p class="muted small">Not an address Salesforce can match: {attendee.problem}.</p> : null}
      {attendee.colleague ? <p class="tag">Colleague</p> : null}
      {attendee.matches.map((m) => (
        <MatchLine key={m.id} match={m} />
      ))}
      {stranger ? (
        <>
          <p class="muted small">Not in Salesforce.</p>
          <div class="row">
            <button id={`create-contact-${attendee.email}`} aria-label={`Create contact for ${attendee.email}`} onClick={() => void create.startCreate(attendee.email, name, "contact")}>
              Create contact
            </button>
            <button id={`create-lead-${attendee.email}`} aria-label={`Create lead for ${attendee.email}`} onClick={() => void create.startCreate(attendee.email, name, "lead")}>
              Create lead
            </button>
          </div>
        </>
      ) : null}
      {store.creating.value?.email === attendee.email ? <CreateForm /> : null}
    </li>
  );
}

export function Attendees() {
  const list = store.attendees.value;
  if (!list) return null;
  const shown = store.shown(list);
  const matched = store.matchedRecords(list, false).size > 0;
  return (
    <section aria-labelledby="attendees-title">
      <div class="section-head">
        <h2 id="attendees-title">Attendees ({shown.length})</h2>
        <div class="row tight">
          {matched ? (
            <button class="link" id="relate-all" onClick={() => actions.relateAllMatched()}>
              Relate all matched
            </button>
          ) : null}
          {store.related.value > 0 ? (
            <button class="link" id="clear-relations" onClick={() => actions.clearRelations()}>
              Clear
            </button>
          ) : null}
        </div>
      </div>
      {shown.length ? (
        <ul class="attendees">
          {shown.map((a) => (
            <AttendeeItem key={a.email} attendee={a} />
          ))}
        </ul>
      ) : (
        <p class="muted">No attendees yet.</p>
      )}
    </section>
  );
}
