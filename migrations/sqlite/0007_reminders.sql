-- Reminders (issue 12): rules with their scheduling state and lease, the firings that make each
-- (rule, tick) happen once, in-app notifications, the delivery outbox (e-mails and webhook calls,
-- sent at least once), the record of what a rule told whom (its quiet period), snoozes, people's
-- language and webhook endpoints. SQLite dialect of migrations/postgres/0007_reminders.sql: same
-- table, column, constraint and index names. Encodings as in 0001 and 0005: STRICT tables,
-- lower-case hyphenated UUID TEXT, fixed-width microsecond UTC instants and 'YYYY-MM-DD' dates as
-- TEXT, enum keys as TEXT, booleans as INTEGER 0/1, lists as JSON arrays in TEXT. The checks only
-- keep enum columns to their keys; when a rule is due, what it selects and whom it tells are the
-- domain's, never this schema's.

CREATE TABLE reminder_rules (
    id                TEXT PRIMARY KEY NOT NULL,
    name              TEXT NOT NULL,
    -- The crontab expression as typed, and the IANA zone it is read in.
    schedule          TEXT NOT NULL,
    time_zone         TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('TASK_DUE_SOON', 'TASK_OVERDUE',
                                                    'STAGE_SLA_EXCEEDED', 'APPROVAL_PENDING',
                                                    'TARGET_QUARTER_AT_RISK',
                                                    'LAW_CHANGE_FOLLOW_UP', 'MILESTONE_DUE',
                                                    'STALE_PROCEDURE', 'QUARTERLY_REPORT_DUE')),
    -- The kind's number of days, for the kinds that take one.
    kind_days         INTEGER,
    scope_bureaus     TEXT NOT NULL CHECK (json_valid(scope_bureaus)
                                           AND json_type(scope_bureaus) = 'array'),
    scope_states      TEXT NOT NULL CHECK (json_valid(scope_states)
                                           AND json_type(scope_states) = 'array'),
    priority_only     INTEGER NOT NULL CHECK (priority_only IN (0, 1)),
    rcpt_assignee     INTEGER NOT NULL CHECK (rcpt_assignee IN (0, 1)),
    rcpt_coordinators INTEGER NOT NULL CHECK (rcpt_coordinators IN (0, 1)),
    rcpt_office       INTEGER NOT NULL CHECK (rcpt_office IN (0, 1)),
    -- Named users: no foreign key (a list); a user who is gone simply receives nothing.
    rcpt_users        TEXT NOT NULL CHECK (json_valid(rcpt_users)
                                           AND json_type(rcpt_users) = 'array'),
    channels          TEXT NOT NULL CHECK (json_valid(channels) AND json_type(channels) = 'array'),
    holiday_policy    TEXT NOT NULL CHECK (holiday_policy IN ('FIRE', 'SKIP',
                                                              'NEXT_BUSINESS_DAY')),
    misfire_policy    TEXT NOT NULL CHECK (misfire_policy IN ('FIRE_ONCE', 'SKIP', 'FIRE_ALL')),
    quiet_days        INTEGER NOT NULL,
    enabled           INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    -- Scheduling state: ticks at or before the cursor are handled (fired or counted missed).
    cursor_at         TEXT NOT NULL,
    last_fired_at     TEXT,
    last_tick_at      TEXT,
    missed_ticks      INTEGER NOT NULL,
    -- The evaluation lease: free when NULL or past; each claim takes the next attempt number,
    -- which the batch that records the firing must still find.
    lease_until       TEXT,
    lease_attempt     INTEGER NOT NULL DEFAULT 0,
    created_by        TEXT REFERENCES users (id),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    version           INTEGER NOT NULL,
    CONSTRAINT reminder_rules_name_key UNIQUE (name)
) STRICT;

CREATE TABLE reminder_firings (
    id          TEXT PRIMARY KEY NOT NULL,
    rule_id     TEXT NOT NULL REFERENCES reminder_rules (id),
    tick_at     TEXT NOT NULL,
    fired_at    TEXT NOT NULL,
    items       INTEGER NOT NULL,
    recipients  INTEGER NOT NULL,
    deliveries  INTEGER NOT NULL,
    attempt     INTEGER NOT NULL,
    -- Exactly once: a rule's tick fires at most one time, whichever replica gets there.
    CONSTRAINT reminder_firings_rule_id_tick_at_key UNIQUE (rule_id, tick_at)
) STRICT;

CREATE TABLE notifications (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id),
    rule_id    TEXT NOT NULL REFERENCES reminder_rules (id),
    firing_id  TEXT NOT NULL REFERENCES reminder_firings (id),
    kind       TEXT NOT NULL,
    language   TEXT NOT NULL CHECK (language IN ('ja', 'en')),
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    -- [{key, reference, title, date, days}], in the digest's order.
    lines      TEXT NOT NULL CHECK (json_valid(lines) AND json_type(lines) = 'array'),
    created_at TEXT NOT NULL,
    read_at    TEXT
) STRICT;

-- A person's notifications newest first (the keyset page), and their unread ones.
CREATE INDEX notifications_user_id_created_at_id_idx
    ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id, created_at DESC, id DESC)
    WHERE read_at IS NULL;
CREATE INDEX notifications_firing_id_user_id_idx ON notifications (firing_id, user_id);

CREATE TABLE webhook_endpoints (
    id                         TEXT PRIMARY KEY NOT NULL,
    url                        TEXT NOT NULL,
    description                TEXT,
    -- Reminder kinds it receives (empty: all).
    event_types                TEXT NOT NULL CHECK (json_valid(event_types)
                                                    AND json_type(event_types) = 'array'),
    secret                     TEXT NOT NULL,
    previous_secret            TEXT,
    previous_secret_expires_at TEXT,
    enabled                    INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    created_at                 TEXT NOT NULL,
    updated_at                 TEXT NOT NULL,
    version                    INTEGER NOT NULL
) STRICT;

-- The outbox: one row per e-mail or webhook call, claimed with a lease and an attempt number.
CREATE TABLE deliveries (
    id              TEXT PRIMARY KEY NOT NULL,
    firing_id       TEXT REFERENCES reminder_firings (id),
    channel         TEXT NOT NULL CHECK (channel IN ('EMAIL', 'WEBHOOK')),
    email_to        TEXT,
    email_to_name   TEXT,
    subject         TEXT,
    -- The e-mail's body, or the webhook's JSON payload.
    body            TEXT NOT NULL,
    endpoint_id     TEXT REFERENCES webhook_endpoints (id),
    event_type      TEXT,
    status          TEXT NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'DEAD')),
    attempts        INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    lease_until     TEXT,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    delivered_at    TEXT,
    CONSTRAINT deliveries_target_check CHECK (
        (channel = 'EMAIL' AND email_to IS NOT NULL AND subject IS NOT NULL)
        OR (channel = 'WEBHOOK' AND endpoint_id IS NOT NULL AND event_type IS NOT NULL)
    )
) STRICT;

-- The sender's claim: PENDING rows by when they are due.
CREATE INDEX deliveries_status_next_attempt_at_idx ON deliveries (status, next_attempt_at, id);
CREATE INDEX deliveries_created_at_id_idx ON deliveries (created_at, id);

-- What a rule told whom, for its quiet period: one row per (rule, person, item), moved forward.
CREATE TABLE reminded_items (
    rule_id  TEXT NOT NULL REFERENCES reminder_rules (id),
    user_id  TEXT NOT NULL REFERENCES users (id),
    item_key TEXT NOT NULL,
    last_at  TEXT NOT NULL,
    PRIMARY KEY (rule_id, user_id, item_key)
) STRICT;

CREATE INDEX reminded_items_rule_id_last_at_idx ON reminded_items (rule_id, last_at);

CREATE TABLE snoozes (
    user_id    TEXT NOT NULL REFERENCES users (id),
    item_key   TEXT NOT NULL,
    -- The last day it runs (inclusive).
    until_on   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, item_key)
) STRICT;

CREATE INDEX snoozes_until_on_idx ON snoozes (until_on);

-- A person's settings beside their account; a user without a row reads Japanese.
CREATE TABLE user_preferences (
    user_id  TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    language TEXT NOT NULL CHECK (language IN ('ja', 'en'))
) STRICT;
