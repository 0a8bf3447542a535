-- The meeting as the task pane saw it in Outlook (subject, times, zone, location, attendees),
-- kept with the rep's selection so the sync can act before Microsoft Graph has the change.
ALTER TABLE event_links ADD COLUMN meeting TEXT;
