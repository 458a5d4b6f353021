-- Reminders (issue 12): rules with their scheduling state and lease, the firings that make each
-- (rule, tick) happen once, in-app notifications, the delivery outbox (e-mails and webhook calls,
-- sent at least once), the record of what a rule told whom (its quiet period), snoozes, people's
-- language and webhook endpoints. Mirrors migrations/sqlite/0007_reminders.sql: same tables,
-- columns, constraint and index names (the store maps violations by those names), in
-- PostgreSQL's native types: lists are arrays, a notification's lines jsonb. The checks only keep
-- enum columns to their keys; when a rule is due, what it selects and whom it tells are the
-- domain's, never this schema's. The application role of deploy/postgres/roles.sql gets its
-- grants on these tables through default privileges, as for 0005.

CREATE TABLE reminder_rules (
    id                uuid NOT NULL,
    name              text NOT NULL,
    -- The crontab expression as typed, and the IANA zone it is read in.
    schedule          text NOT NULL,
    time_zone         text NOT NULL,
    kind              text NOT NULL,
    -- The kind's number of days, for the kinds that take one.
    kind_days         integer,
    scope_bureaus     uuid[] NOT NULL,
    scope_states      text[] NOT NULL,
    priority_only     boolean NOT NULL,
    rcpt_assignee     boolean NOT NULL,
    rcpt_coordinators boolean NOT NULL,
    rcpt_office       boolean NOT NULL,
    -- Named users: no foreign key (a list); a user who is gone simply receives nothing.
    rcpt_users        uuid[] NOT NULL,
    channels          text[] NOT NULL,
    holiday_policy    text NOT NULL,
    misfire_policy    text NOT NULL,
    quiet_days        integer NOT NULL,
    enabled           boolean NOT NULL,
    -- Scheduling state: ticks at or before the cursor are handled (fired or counted missed).
    cursor_at         timestamptz NOT NULL,
    last_fired_at     timestamptz,
    last_tick_at      timestamptz,
    missed_ticks      bigint NOT NULL,
    -- The evaluation lease: free when NULL or past; each claim takes the next attempt number,
    -- which the batch that records the firing must still find.
    lease_until       timestamptz,
    lease_attempt     integer NOT NULL DEFAULT 0,
    created_by        uuid,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    version           integer NOT NULL,
    CONSTRAINT reminder_rules_pkey PRIMARY KEY (id),
    CONSTRAINT reminder_rules_name_key UNIQUE (name),
    CONSTRAINT reminder_rules_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id),
    CONSTRAINT reminder_rules_kind_check CHECK (
        kind IN ('TASK_DUE_SOON', 'TASK_OVERDUE', 'STAGE_SLA_EXCEEDED', 'APPROVAL_PENDING',
                 'TARGET_QUARTER_AT_RISK', 'LAW_CHANGE_FOLLOW_UP', 'MILESTONE_DUE',
                 'STALE_PROCEDURE', 'QUARTERLY_REPORT_DUE')
    ),
    CONSTRAINT reminder_rules_holiday_policy_check CHECK (
        holiday_policy IN ('FIRE', 'SKIP', 'NEXT_BUSINESS_DAY')
    ),
    CONSTRAINT reminder_rules_misfire_policy_check CHECK (
        misfire_policy IN ('FIRE_ONCE', 'SKIP', 'FIRE_ALL')
    )
);

CREATE TABLE reminder_firings (
    id          uuid NOT NULL,
    rule_id     uuid NOT NULL,
    tick_at     timestamptz NOT NULL,
    fired_at    timestamptz NOT NULL,
    items       bigint NOT NULL,
    recipients  bigint NOT NULL,
    deliveries  bigint NOT NULL,
    attempt     integer NOT NULL,
    CONSTRAINT reminder_firings_pkey PRIMARY KEY (id),
    -- Exactly once: a rule's tick fires at most one time, whichever replica gets there.
    CONSTRAINT reminder_firings_rule_id_tick_at_key UNIQUE (rule_id, tick_at),
    CONSTRAINT reminder_firings_rule_id_fkey FOREIGN KEY (rule_id) REFERENCES reminder_rules (id)
);

CREATE TABLE notifications (
    id         uuid NOT NULL,
    user_id    uuid NOT NULL,
    rule_id    uuid NOT NULL,
    firing_id  uuid NOT NULL,
    kind       text NOT NULL,
    language   text NOT NULL,
    subject    text NOT NULL,
    body       text NOT NULL,
    -- [{key, reference, title, date, days}], in the digest's order.
    lines      jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    read_at    timestamptz,
    CONSTRAINT notifications_pkey PRIMARY KEY (id),
    CONSTRAINT notifications_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id),
    CONSTRAINT notifications_rule_id_fkey FOREIGN KEY (rule_id) REFERENCES reminder_rules (id),
    CONSTRAINT notifications_firing_id_fkey
        FOREIGN KEY (firing_id) REFERENCES reminder_firings (id),
    CONSTRAINT notifications_language_check CHECK (language IN ('ja', 'en'))
);

-- A person's notifications newest first (the keyset page), and their unread ones.
CREATE INDEX notifications_user_id_created_at_id_idx
    ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id, created_at DESC, id DESC)
    WHERE read_at IS NULL;
CREATE INDEX notifications_firing_id_user_id_idx ON notifications (firing_id, user_id);

CREATE TABLE webhook_endpoints (
    id                         uuid NOT NULL,
    url                        text NOT NULL,
    description                text,
    -- Reminder kinds it receives (empty: all).
    event_types                text[] NOT NULL,
    secret                     text NOT NULL,
    previous_secret            text,
    previous_secret_expires_at timestamptz,
    enabled                    boolean NOT NULL,
    created_at                 timestamptz NOT NULL,
    updated_at                 timestamptz NOT NULL,
    version                    integer NOT NULL,
    CONSTRAINT webhook_endpoints_pkey PRIMARY KEY (id)
);

-- The outbox: one row per e-mail or webhook call, claimed with a lease and an attempt number.
CREATE TABLE deliveries (
    id              uuid NOT NULL,
    firing_id       uuid,
    channel         text NOT NULL,
    email_to        text,
    email_to_name   text,
    subject         text,
    -- The e-mail's body, or the webhook's JSON payload.
    body            text NOT NULL,
    endpoint_id     uuid,
    event_type      text,
    status          text NOT NULL,
    attempts        integer NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    lease_until     timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL,
    delivered_at    timestamptz,
    CONSTRAINT deliveries_pkey PRIMARY KEY (id),
    CONSTRAINT deliveries_firing_id_fkey FOREIGN KEY (firing_id) REFERENCES reminder_firings (id),
    CONSTRAINT deliveries_endpoint_id_fkey
        FOREIGN KEY (endpoint_id) REFERENCES webhook_endpoints (id),
    CONSTRAINT deliveries_channel_check CHECK (channel IN ('EMAIL', 'WEBHOOK')),
    CONSTRAINT deliveries_status_check CHECK (status IN ('PENDING', 'DELIVERED', 'DEAD')),
    CONSTRAINT deliveries_target_check CHECK (
        (channel = 'EMAIL' AND email_to IS NOT NULL AND subject IS NOT NULL)
        OR (channel = 'WEBHOOK' AND endpoint_id IS NOT NULL AND event_type IS NOT NULL)
    )
);

-- The sender's claim: PENDING rows by when they are due.
CREATE INDEX deliveries_status_next_attempt_at_idx ON deliveries (status, next_attempt_at, id);
CREATE INDEX deliveries_created_at_id_idx ON deliveries (created_at, id);

-- What a rule told whom, for its quiet period: one row per (rule, person, item), moved forward.
CREATE TABLE reminded_items (
    rule_id  uuid NOT NULL,
    user_id  uuid NOT NULL,
    item_key text NOT NULL,
    last_at  timestamptz NOT NULL,
    CONSTRAINT reminded_items_pkey PRIMARY KEY (rule_id, user_id, item_key),
    CONSTRAINT reminded_items_rule_id_fkey FOREIGN KEY (rule_id) REFERENCES reminder_rules (id),
    CONSTRAINT reminded_items_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)
);

CREATE INDEX reminded_items_rule_id_last_at_idx ON reminded_items (rule_id, last_at);

CREATE TABLE snoozes (
    user_id    uuid NOT NULL,
    item_key   text NOT NULL,
    -- The last day it runs (inclusive).
    until_on   date NOT NULL,
    created_at timestamptz NOT NULL,
    CONSTRAINT snoozes_pkey PRIMARY KEY (user_id, item_key),
    CONSTRAINT snoozes_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)
);

CREATE INDEX snoozes_until_on_idx ON snoozes (until_on);

-- A person's settings beside their account; a user without a row reads Japanese.
CREATE TABLE user_preferences (
    user_id  uuid NOT NULL,
    language text NOT NULL,
    CONSTRAINT user_preferences_pkey PRIMARY KEY (user_id),
    CONSTRAINT user_preferences_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id),
    CONSTRAINT user_preferences_language_check CHECK (language IN ('ja', 'en'))
);
