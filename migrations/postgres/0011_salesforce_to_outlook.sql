-- Salesforce → Outlook. Each side's content as the last sync left it (the parts compared and
-- merged, rule 4), so that what each side changed since is told apart, and our own writes come
-- back as no change (rule 3).
ALTER TABLE event_links ADD COLUMN outlook_content TEXT;
ALTER TABLE event_links ADD COLUMN salesforce_content TEXT;
-- The Outlook event was made by the sync from a Salesforce Event (it invites nobody).
ALTER TABLE event_links ADD COLUMN from_salesforce BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX event_links_by_salesforce_id ON event_links (user_id, salesforce_event_id);

-- Per rep, how far their Salesforce Events have been read (SystemModstamp), and when next.
ALTER TABLE mailbox_watches ADD COLUMN salesforce_cursor TIMESTAMPTZ;
ALTER TABLE mailbox_watches ADD COLUMN salesforce_next_poll_at TIMESTAMPTZ;
ALTER TABLE mailbox_watches ADD COLUMN salesforce_error_code TEXT;

-- Shared meetings: several reps of one org attend one meeting (one iCalUId), and Salesforce
-- gets one Event. The link that owns it is named here; the other reps' links are invitees of
-- that Event (shared_event_id), related to it as invited users.
CREATE TABLE shared_meetings (
    tenant_id      TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    ical_uid       TEXT NOT NULL,
    owner_link_id  TEXT NOT NULL REFERENCES event_links (id) ON DELETE CASCADE,
    PRIMARY KEY (tenant_id, ical_uid)
);
ALTER TABLE event_links ADD COLUMN ical_uid TEXT;
ALTER TABLE event_links ADD COLUMN is_organizer BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE event_links ADD COLUMN shared_event_id TEXT;
CREATE INDEX event_links_by_shared_event ON event_links (shared_event_id);

-- The next delta round syncs every selected meeting it lists, changed or not: the
-- configuration that applies to the rep changed.
ALTER TABLE mailbox_watches ADD COLUMN resync_selected BOOLEAN NOT NULL DEFAULT FALSE;
