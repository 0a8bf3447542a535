-- A link made for an occurrence because the rep selected its series: it follows the series'
-- selection and relations until the rep chooses for the occurrence itself in the pane.
ALTER TABLE event_links ADD COLUMN from_series BOOLEAN NOT NULL DEFAULT FALSE;
-- The attendees' addresses as the sync last saw them (NULL: not seen yet), and the relations
-- the sync added for attendees (only those does it take away when the attendee leaves).
ALTER TABLE event_links ADD COLUMN attendees_seen TEXT;
ALTER TABLE event_links ADD COLUMN auto_who_ids TEXT NOT NULL DEFAULT '[]';
