-- The org-wide Salesforce connection an admin may choose instead of each rep connecting: the
-- connected app's JWT bearer grant, acting as the Salesforce user that matches each rep.
-- The private key is server configuration; this row says where and as whom.
CREATE TABLE salesforce_org_wide (
    tenant_id             TEXT PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    login_url             TEXT NOT NULL,
    user_match            TEXT NOT NULL CHECK (user_match IN ('username', 'email')),
    username_suffix       TEXT,
    integration_username  TEXT,
    last_error_code       TEXT,
    last_error_at         TIMESTAMPTZ,
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL
);

-- The Salesforce username a connection acts as (org-wide sessions are minted again for it).
ALTER TABLE connections ADD COLUMN external_username TEXT;
