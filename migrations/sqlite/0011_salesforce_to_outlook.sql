-- Salesforce → Outlook. Each side's content as the last sync left it (the parts compared and
-- merged, rule 4), so that what each side changed since is told apart, and our own writes come
-- back as no change (rule 3).
ALTER TABLE event_links ADD COLUMN outlook_content TEXT;
ALTER TABLE event_links ADD COLUMN salesforce_content TEXT;
-- The Outlook event was made by the sync from a Salesforce Event (it invites nobody).
ALTER TABLE event_links ADD COLUMN from_salesforce BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX event_links_by_salesforce_id ON event_links (user_id, salesforce_event_id);

-- Per rep, how far their Salesforce Events have been read (SystemModstamp), and when next.
ALTER TABLE mailbox_watches ADD COLUMN salesforce_cursor TEXT;
ALTER TABLE mailbox_watches ADD COLUMN salesforce_next_poll_at TEXT;
ALTER TABLE mailbox_watches ADD COLUMN salesforce_error_code TEXT;
