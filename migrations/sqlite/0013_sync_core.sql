-- The sync core, made right (issue 22).
-- Fields no code read: the Outlook side's hash (Outlook's change key tells its changes) and a
-- SystemModstamp never written.
ALTER TABLE event_links DROP COLUMN outlook_hash;
ALTER TABLE event_links DROP COLUMN salesforce_modstamp;
-- When the pane last sent its view of the meeting: the view fills only what Graph has not
-- caught up with since (rule 10).
ALTER TABLE event_links ADD COLUMN meeting_seen_at TEXT;
-- A notification that comes before Graph has answered its subscription's creation is believed
-- by its clientState's hash, recorded before Graph is asked.
CREATE INDEX mailbox_watches_by_client_state ON mailbox_watches (client_state_hash);
-- Conditional Access's claims challenge while it wants a rep to sign in again, for the pane.
ALTER TABLE mailbox_watches ADD COLUMN graph_claims TEXT;
-- When a rep's delta rounds were last forgotten (a configuration changed, a reset): a round that
-- began before then records nothing of where to go on.
ALTER TABLE mailbox_watches ADD COLUMN rounds_forgotten_at TEXT;
