-- A link made for an occurrence because the rep selected its series: it follows the series'
-- selection and relations until the rep chooses for the occurrence itself in the pane.
ALTER TABLE event_links ADD COLUMN from_series BOOLEAN NOT NULL DEFAULT FALSE;
-- The attendees' addresses as the sync last saw them (NULL: not seen yet), and the Contacts the
-- sync related because an attendee matched, by address (only those does it unrelate when the
-- attendee leaves; the rep's own relations stay).
ALTER TABLE event_links ADD COLUMN attendees_seen TEXT;
ALTER TABLE event_links ADD COLUMN auto_relations TEXT NOT NULL DEFAULT '{}';
-- When the meeting takes place, as last written (UTC): a full delta round (after Graph forgot
-- the last one) tells a meeting deleted from one outside the window by it.
ALTER TABLE event_links ADD COLUMN outlook_start TIMESTAMPTZ;
ALTER TABLE event_links ADD COLUMN outlook_end TIMESTAMPTZ;
-- A delta round saw the meeting go, past the deletion circuit breaker: only then does the
-- sync delete its Event.
ALTER TABLE event_links ADD COLUMN removal_seen BOOLEAN NOT NULL DEFAULT FALSE;
-- How many of the link's Contacts the last write left out because the org relates an Event to
-- one WhoId only (no Shared Activities): the pane says so.
ALTER TABLE event_links ADD COLUMN who_ids_left_out BIGINT NOT NULL DEFAULT 0;

-- Selected because the rep's configuration syncs every meeting (`scope: all`), not by the
-- rep: the rep's own choice in the pane clears it.
ALTER TABLE event_links ADD COLUMN by_scope BOOLEAN NOT NULL DEFAULT FALSE;

-- Every change an admin makes to the sync configurations (who, what, when, the version it made
-- and the document as it then stood); kept after the configuration is deleted.
CREATE TABLE sync_config_changes (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    sync_config_id  TEXT NOT NULL,
    version         INTEGER NOT NULL,
    actor           TEXT NOT NULL,
    action          TEXT NOT NULL,
    detail          TEXT NOT NULL DEFAULT '{}',
    at              TIMESTAMPTZ NOT NULL
);
CREATE INDEX sync_config_changes_by_config ON sync_config_changes (sync_config_id, id);
