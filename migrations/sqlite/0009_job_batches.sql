-- Jobs that may run together: a worker that claims one also claims the other due jobs of the
-- same kind and batch key (one rep's meeting syncs, written to Salesforce in one call), pending
-- or left behind by a dead worker.
ALTER TABLE jobs ADD COLUMN batch_key TEXT;
CREATE INDEX jobs_batch ON jobs (kind, batch_key, run_at)
    WHERE batch_key IS NOT NULL AND state IN ('pending', 'running');
-- The jobs of one claim (renewed together), and the running job of a key (which a claim checks
-- for each candidate, so that two jobs of one key never run at once).
CREATE INDEX jobs_claim ON jobs (locked_by) WHERE state = 'running';
CREATE INDEX jobs_running_key ON jobs (kind, dedup_key) WHERE state = 'running';
