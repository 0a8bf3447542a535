-- The Entra groups a rep's last token named: background sync applies the sync configuration
-- assigned to them (a group's or the rep's own) without a token at hand.
ALTER TABLE users ADD COLUMN entra_groups TEXT NOT NULL DEFAULT '[]';
