-- The (user_id, salesforce_event_id) index of 0011 competed with UNIQUE (user_id,
-- outlook_event_id): a statement prepared while a rep had no links yet could keep a plan that
-- looks a meeting up through it, reading every link of the rep (1.3 ms a lookup at 3,000 links,
-- against 0.03 ms by the unique key; measured on PostgreSQL). Lookups by Salesforce Id have
-- the UNIQUE index on salesforce_event_id. The creates in flight (sent, their Id not yet
-- recorded) get a partial index of their own, which no lookup by Outlook id can use.
DROP INDEX event_links_by_salesforce_id;
CREATE INDEX event_links_creates_in_flight ON event_links (user_id)
    WHERE salesforce_event_id IS NULL AND write_intent IS NOT NULL;
