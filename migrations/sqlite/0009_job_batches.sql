-- Jobs that may run together: a worker that claims one also claims other due jobs of the same
-- kind and batch key (one rep's meeting syncs, written to Salesforce in one call).
ALTER TABLE jobs ADD COLUMN batch_key TEXT;
CREATE INDEX jobs_batch ON jobs (kind, batch_key, run_at) WHERE state = 'pending' AND batch_key IS NOT NULL;
CREATE INDEX jobs_claim ON jobs (locked_by) WHERE state = 'running';
