-- Watching a rep's calendar for changes: the Graph subscription that notifies us (its secret
-- clientState kept only as a hash) and the calendarView delta round that backs it up.
CREATE TABLE mailbox_watches (
    user_id                  TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    subscription_id          TEXT UNIQUE,
    subscription_expires_at  TEXT,
    client_state_hash        TEXT,
    delta_link               TEXT,
    window_start             TEXT,
    window_end               TEXT,
    next_poll_at             TEXT NOT NULL,
    last_poll_at             TEXT,
    last_error_code          TEXT,
    -- Set while the deletion circuit breaker holds the user's sync: why, and how many Events
    -- the held round would delete. An admin's release lets the next round delete them.
    paused_code              TEXT,
    held_deletions           INTEGER NOT NULL DEFAULT 0,
    deletions_released       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at               TEXT NOT NULL,
    updated_at               TEXT NOT NULL
);
CREATE INDEX mailbox_watches_due ON mailbox_watches (next_poll_at);

-- Who selected a meeting: the rep in the task pane, or the Outlook category (which unselects it
-- again when the rep takes the category off).
ALTER TABLE event_links ADD COLUMN selected_by TEXT NOT NULL DEFAULT 'pane'
    CHECK (selected_by IN ('pane', 'category'));
