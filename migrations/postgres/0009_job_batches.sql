-- Jobs that may run together: a worker that claims one also claims other due jobs of the same
-- kind and batch key (one rep's meeting syncs, written to Salesforce in one call).
ALTER TABLE jobs ADD COLUMN batch_key TEXT;
CREATE INDEX jobs_batch ON jobs (kind, batch_key, run_at) WHERE state = 'pending' AND batch_key IS NOT NULL;
CREATE INDEX jobs_claim ON jobs (locked_by) WHERE state = 'running';

-- 0008 made the count of held deletions a 32-bit INTEGER here; outforce reads it as a 64-bit
-- count (as SQLite's INTEGER is), and PostgreSQL refused to decode every watch.
ALTER TABLE mailbox_watches ALTER COLUMN held_deletions TYPE BIGINT;
