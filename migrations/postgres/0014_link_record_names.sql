-- The names of the records a meeting is related to, as the rep saw them when relating it
-- (JSON: Id to kind and name), so that a meeting reopened shows names, not Ids, even before
-- (or without) Salesforce answering.
ALTER TABLE event_links ADD COLUMN record_names TEXT NOT NULL DEFAULT '{}';
