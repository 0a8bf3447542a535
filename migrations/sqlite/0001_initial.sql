-- The first schema: tenants, users, connections, sync configurations, event links, history, jobs.
-- Timestamps are RFC 3339 text in UTC written by the application (never by SQL), which sorts
-- correctly as text. The PostgreSQL folder holds the same migration in its own dialect.

-- An Entra ID tenant and the Salesforce org it syncs with.
CREATE TABLE tenants (
    id                   TEXT PRIMARY KEY,
    entra_tenant_id      TEXT NOT NULL UNIQUE,
    display_name         TEXT,
    salesforce_org_id    TEXT UNIQUE,
    salesforce_login_url TEXT,
    graph_access_mode    TEXT NOT NULL DEFAULT 'delegated'
                         CHECK (graph_access_mode IN ('delegated', 'application')),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);

-- A rep or admin, keyed by (tenant, Entra object id); never by email.
CREATE TABLE users (
    id                  TEXT PRIMARY KEY,
    tenant_id           TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    entra_object_id     TEXT NOT NULL,
    email               TEXT,
    display_name        TEXT,
    salesforce_user_id  TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (tenant_id, entra_object_id)
);

-- A user's connection to Salesforce or Microsoft Graph. Tokens are sealed (encrypted with a
-- versioned key) by the application before they reach this table.
CREATE TABLE connections (
    id                     TEXT PRIMARY KEY,
    user_id                TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider               TEXT NOT NULL CHECK (provider IN ('salesforce', 'graph')),
    status                 TEXT NOT NULL CHECK (status IN ('connected', 'reconnect_needed')),
    instance_url           TEXT,
    external_user_id       TEXT,
    external_org_id        TEXT,
    access_token_sealed    BLOB,
    refresh_token_sealed   BLOB,
    access_expires_at      TEXT,
    last_error_code        TEXT,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL,
    UNIQUE (user_id, provider)
);

-- What syncs and how, as a versioned JSON document, assigned to users or groups.
CREATE TABLE sync_configs (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    is_default  BOOLEAN NOT NULL DEFAULT FALSE,
    settings    TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (tenant_id, name)
);
CREATE UNIQUE INDEX sync_configs_one_default ON sync_configs (tenant_id) WHERE is_default;

CREATE TABLE sync_config_assignments (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    sync_config_id  TEXT NOT NULL REFERENCES sync_configs (id) ON DELETE CASCADE,
    principal_kind  TEXT NOT NULL CHECK (principal_kind IN ('user', 'group')),
    principal_id    TEXT NOT NULL,
    priority        INTEGER NOT NULL DEFAULT 100,
    created_at      TEXT NOT NULL,
    UNIQUE (tenant_id, principal_kind, principal_id)
);

-- An Outlook event (or occurrence) tied to a Salesforce Event, with what was last written to
-- each side so that echoes and conflicts can be told apart.
CREATE TABLE event_links (
    id                    TEXT PRIMARY KEY,
    user_id               TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    outlook_event_id      TEXT NOT NULL,
    outlook_series_id     TEXT,
    salesforce_event_id   TEXT UNIQUE,
    selected              BOOLEAN NOT NULL,
    who_ids               TEXT NOT NULL DEFAULT '[]',
    what_id               TEXT,
    state                 TEXT NOT NULL
                          CHECK (state IN ('pending', 'synced', 'failed', 'removed')),
    outlook_hash          TEXT,
    salesforce_hash       TEXT,
    outlook_change_key    TEXT,
    salesforce_modstamp   TEXT,
    write_intent          TEXT,
    last_error_code       TEXT,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    UNIQUE (user_id, outlook_event_id)
);

-- Every decision about an item, so that each one can be explained later.
CREATE TABLE item_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    link_id     TEXT REFERENCES event_links (id) ON DELETE SET NULL,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL CHECK (actor IN ('rep', 'admin', 'system')),
    action      TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX item_history_by_link ON item_history (link_id, id);
CREATE INDEX item_history_by_user ON item_history (user_id, id);

-- The job queue: a lease on the row, never a transaction held open while a job runs.
CREATE TABLE jobs (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    payload       TEXT NOT NULL,
    dedup_key     TEXT,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'running', 'dead')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL,
    run_at        TEXT NOT NULL,
    locked_until  TEXT,
    locked_by     TEXT,
    last_error    TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX jobs_pending ON jobs (run_at, id) WHERE state = 'pending';
CREATE INDEX jobs_running ON jobs (locked_until) WHERE state = 'running';
CREATE UNIQUE INDEX jobs_dedup ON jobs (kind, dedup_key) WHERE state = 'pending';
