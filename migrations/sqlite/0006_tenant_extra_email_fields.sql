-- The custom fields besides Email that hold addresses in the tenant's org, per object
-- ({"contact": [...], "lead": [...]}): matching searches them too.
ALTER TABLE tenants ADD COLUMN extra_email_fields TEXT NOT NULL DEFAULT '{}';
