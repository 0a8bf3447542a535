// "Related to": the Account, Opportunity or Case the meeting is about, found as the rep types.
import * as actions from "../actions";
import * as store from "../store";

export function What() {
  const blocked = store.hasLead.value;
  const search = store.search.value;
  const chosen = store.what.value;
  const results = search.results;
  return (
    <section aria-labelledby="what-title">
      <h2 id="what-title">Related to</h2>
      {chosen ? (
        <p class="chosen" id="what-chosen" tabIndex={-1}>
          <span class={`kind ${chosen.type}`}>{chosen.type}</span> <strong>{chosen.name}</strong>{" "}
          <button class="link" onClick={() => actions.chooseWhat(null)} aria-label={`Remove ${chosen.name}`}>
            Remove
          </button>
        </p>
      ) : null}
      <label for="what-search">Search Accounts, Opportunities and Cases</label>
      <input
        id="what-search"
        type="search"
        autocomplete="off"
        value={search.text}
        disabled={blocked}
        aria-describedby={blocked ? "what-why" : undefined}
        onInput={(e) => actions.searchWhat(e.currentTarget.value)}
      />
      {blocked ? (
        <p class="hint small" id="what-why">
          A meeting with a Lead has no Account, Opportunity or Case.
        </p>
      ) : null}
      {search.busy ? (
        <p class="progress">
          <span class="spinner" aria-hidden="true" /> Searching…
        </p>
      ) : null}
      {search.error ? <p class="error">{search.error}</p> : null}
      {results && !search.busy ? (
        results.length ? (
          <ul class="results" aria-label="Search results">
            {results.map((r) => (
              <li key={r.id}>
                <button class="result" onClick={() => actions.chooseWhat(r)}>
                  <span class={`kind ${r.type}`}>{r.type}</span> {r.name}
                  {r.detail ? <span class="muted small"> · {r.detail}</span> : null}
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted small">Nothing found.</p>
        )
      ) : null}
    </section>
  );
}
