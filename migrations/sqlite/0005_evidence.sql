-- Evidence behind a procedure's moves: hearings with their outcomes, user tests, tasks, and the
-- history of target quarters. SQLite dialect of migrations/postgres/0005_evidence.sql: same
-- table, column, constraint and index names. Encodings as in 0001 and 0002: STRICT tables,
-- lower-case hyphenated UUID TEXT, fixed-width microsecond UTC instants and 'YYYY-MM-DD' dates as
-- TEXT, enum keys as TEXT, booleans as INTEGER 0/1, lists of strings as JSON arrays in TEXT.
-- The domain's rules (held in the past, counts, score ranges) are checked by the app before a
-- write; the checks here only keep enum columns to their keys, like 0001 and 0002.

CREATE TABLE hearings (
    id                      TEXT PRIMARY KEY NOT NULL,
    bureau_id               TEXT NOT NULL REFERENCES bureaus (id),
    held_on                 TEXT NOT NULL,
    kind                    TEXT NOT NULL CHECK (kind IN ('POLICY_DEPARTMENT', 'NATIONAL_MINISTRY',
                                                          'PLATFORM_VENDOR', 'OTHER')),
    title                   TEXT NOT NULL,
    attendees               TEXT NOT NULL CHECK (json_valid(attendees)
                                                 AND json_type(attendees) = 'array'),
    notes                   TEXT,
    created_by              TEXT NOT NULL REFERENCES users (id),
    created_at              TEXT NOT NULL,
    -- The idempotency key of the recordHearing that wrote this hearing, per owner (the acting
    -- user's id), and a fingerprint of what was asked: a retry finds the hearing it recorded.
    -- Kept on the hearing rather than in idempotency_keys, whose rows point at history records.
    idempotency_owner       TEXT,
    idempotency_key         TEXT,
    idempotency_fingerprint TEXT,
    CONSTRAINT hearings_idempotency_check CHECK (
        (idempotency_key IS NULL) = (idempotency_owner IS NULL)
        AND (idempotency_key IS NULL) = (idempotency_fingerprint IS NULL)
    )
) STRICT;

CREATE UNIQUE INDEX hearings_idempotency_key ON hearings (idempotency_owner, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
-- The listing, latest first, overall and per bureau.
CREATE INDEX hearings_held_on_id_idx ON hearings (held_on, id);
CREATE INDEX hearings_bureau_id_held_on_id_idx ON hearings (bureau_id, held_on, id);

CREATE TABLE hearing_outcomes (
    hearing_id            TEXT NOT NULL REFERENCES hearings (id),
    -- The outcome's index in the hearing as recorded (0-based), so outcomes read back in order.
    position              INTEGER NOT NULL,
    procedure_id          TEXT NOT NULL REFERENCES procedures (id),
    decision              TEXT NOT NULL CHECK (decision IN ('PROCEED', 'NEEDS_LAW_CHANGE',
                                                            'PROPOSE_ABOLITION', 'UNDECIDED')),
    agreed_target_quarter TEXT,
    agreed_platform       TEXT CHECK (agreed_platform IN ('JOINT_E_APPLICATION',
                                                          'SAAS_E_APPLICATION', 'JGRANTS',
                                                          'MYNA_PORTAL', 'OTHER_NATIONAL_SYSTEM',
                                                          'DEDICATED_SYSTEM')),
    issues                TEXT,
    next_step             TEXT,
    applied               INTEGER NOT NULL CHECK (applied IN (0, 1)),
    transition_record_id  TEXT REFERENCES transition_records (id),
    approval_request_id   TEXT REFERENCES approval_requests (id),
    CONSTRAINT hearing_outcomes_pkey PRIMARY KEY (hearing_id, position)
) STRICT;

CREATE INDEX hearing_outcomes_procedure_id_idx ON hearing_outcomes (procedure_id);

CREATE TABLE user_tests (
    id              TEXT PRIMARY KEY NOT NULL,
    procedure_id    TEXT NOT NULL REFERENCES procedures (id),
    held_on         TEXT NOT NULL,
    participants    INTEGER NOT NULL,
    tasks_attempted INTEGER NOT NULL,
    tasks_completed INTEGER NOT NULL,
    median_minutes  REAL,
    sus_score       REAL,
    findings        TEXT NOT NULL CHECK (json_valid(findings) AND json_type(findings) = 'array'),
    verdict         TEXT NOT NULL CHECK (verdict IN ('PASS', 'FAIL')),
    recorded_by     TEXT NOT NULL REFERENCES users (id),
    created_at      TEXT NOT NULL
) STRICT;

-- A procedure's tests oldest first, and its latest one (the user_test_passed guard).
CREATE INDEX user_tests_procedure_id_created_at_idx ON user_tests (procedure_id, created_at, id);

CREATE TABLE tasks (
    id              TEXT PRIMARY KEY NOT NULL,
    title           TEXT NOT NULL,
    description     TEXT,
    procedure_id    TEXT REFERENCES procedures (id),
    bureau_id       TEXT NOT NULL REFERENCES bureaus (id),
    assignee_id     TEXT REFERENCES users (id),
    due_on          TEXT,
    status          TEXT NOT NULL CHECK (status IN ('OPEN', 'DONE', 'CANCELLED')),
    completion_note TEXT,
    completed_at    TEXT,
    hearing_id      TEXT REFERENCES hearings (id),
    created_by      TEXT NOT NULL REFERENCES users (id),
    version         INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    -- The listing's sort key: the due date, tasks without one last. An index on due_on alone
    -- cannot serve "nulls last" (SQLite puts NULL first), so the key is a column of its own,
    -- computed by the database; keyset cursors compare (due_key, id).
    due_key         TEXT NOT NULL GENERATED ALWAYS AS (COALESCE(due_on, '9999-12-31')) VIRTUAL
) STRICT;

-- A bureau's tasks by status and due date: the overdue list (status OPEN, due before today)
-- is one range of this index, already in listing order.
CREATE INDEX tasks_bureau_id_status_due_key_id_idx ON tasks (bureau_id, status, due_key, id);
CREATE INDEX tasks_assignee_id_status_due_key_id_idx ON tasks (assignee_id, status, due_key, id);
CREATE INDEX tasks_status_due_key_id_idx ON tasks (status, due_key, id);
CREATE INDEX tasks_due_key_id_idx ON tasks (due_key, id);
CREATE INDEX tasks_procedure_id_due_key_id_idx ON tasks (procedure_id, due_key, id);
CREATE INDEX tasks_hearing_id_id_idx ON tasks (hearing_id, id);

CREATE TABLE target_changes (
    -- Insertion order is history order: two changes of one procedure may share an instant.
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    procedure_id TEXT NOT NULL REFERENCES procedures (id),
    from_quarter TEXT,
    to_quarter   TEXT,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    reason       TEXT
) STRICT;

CREATE INDEX target_changes_procedure_id_id_idx ON target_changes (procedure_id, id);
