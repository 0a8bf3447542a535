-- Only an admin (the app role) ties a tenant to its Salesforce org: a sign-in remembers whether
-- the person who started it may do so.
ALTER TABLE salesforce_logins ADD COLUMN binds_org INTEGER NOT NULL DEFAULT 0;
