-- Evidence behind a procedure's moves: hearings with their outcomes, user tests, tasks, and the
-- history of target quarters. Mirrors migrations/sqlite/0005_evidence.sql: same tables, columns,
-- constraint and index names (the store maps violations by those names), in PostgreSQL's native
-- types; lists of strings are text[]. Quarters are `COLLATE "C"` like procedures.target_quarter,
-- so that they compare chronologically. The domain's rules (held in the past, counts, score
-- ranges) are checked by the app before a write; the checks here only keep enum columns to
-- their keys, like 0001 and 0002. The application role of deploy/postgres/roles.sql gets its
-- grants on these tables and on target_changes' identity sequence through default privileges.

CREATE TABLE hearings (
    id                      uuid NOT NULL,
    bureau_id               uuid NOT NULL,
    held_on                 date NOT NULL,
    kind                    text NOT NULL,
    title                   text NOT NULL,
    attendees               text[] NOT NULL,
    notes                   text,
    created_by              uuid NOT NULL,
    created_at              timestamptz NOT NULL,
    -- The idempotency key of the recordHearing that wrote this hearing, per owner (the acting
    -- user's id), and a fingerprint of what was asked: a retry finds the hearing it recorded.
    -- Kept on the hearing rather than in idempotency_keys, whose rows point at history records.
    idempotency_owner       text,
    idempotency_key         text,
    idempotency_fingerprint text,
    CONSTRAINT hearings_pkey PRIMARY KEY (id),
    CONSTRAINT hearings_bureau_id_fkey FOREIGN KEY (bureau_id) REFERENCES bureaus (id),
    CONSTRAINT hearings_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id),
    CONSTRAINT hearings_kind_check CHECK (
        kind IN ('POLICY_DEPARTMENT', 'NATIONAL_MINISTRY', 'PLATFORM_VENDOR', 'OTHER')
    ),
    CONSTRAINT hearings_idempotency_check CHECK (
        (idempotency_key IS NULL) = (idempotency_owner IS NULL)
        AND (idempotency_key IS NULL) = (idempotency_fingerprint IS NULL)
    )
);

CREATE UNIQUE INDEX hearings_idempotency_key ON hearings (idempotency_owner, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
-- The listing, latest first, overall and per bureau.
CREATE INDEX hearings_held_on_id_idx ON hearings (held_on, id);
CREATE INDEX hearings_bureau_id_held_on_id_idx ON hearings (bureau_id, held_on, id);

CREATE TABLE hearing_outcomes (
    hearing_id            uuid NOT NULL,
    -- The outcome's index in the hearing as recorded (0-based), so outcomes read back in order.
    position              integer NOT NULL,
    procedure_id          uuid NOT NULL,
    decision              text NOT NULL,
    agreed_target_quarter text COLLATE "C",
    agreed_platform       text,
    issues                text,
    next_step             text,
    applied               boolean NOT NULL,
    transition_record_id  uuid,
    approval_request_id   uuid,
    CONSTRAINT hearing_outcomes_pkey PRIMARY KEY (hearing_id, position),
    CONSTRAINT hearing_outcomes_hearing_id_fkey FOREIGN KEY (hearing_id) REFERENCES hearings (id),
    CONSTRAINT hearing_outcomes_procedure_id_fkey
        FOREIGN KEY (procedure_id) REFERENCES procedures (id),
    CONSTRAINT hearing_outcomes_transition_record_id_fkey
        FOREIGN KEY (transition_record_id) REFERENCES transition_records (id),
    CONSTRAINT hearing_outcomes_approval_request_id_fkey
        FOREIGN KEY (approval_request_id) REFERENCES approval_requests (id),
    CONSTRAINT hearing_outcomes_decision_check CHECK (
        decision IN ('PROCEED', 'NEEDS_LAW_CHANGE', 'PROPOSE_ABOLITION', 'UNDECIDED')
    ),
    CONSTRAINT hearing_outcomes_agreed_platform_check CHECK (
        agreed_platform IS NULL OR agreed_platform IN (
            'JOINT_E_APPLICATION', 'SAAS_E_APPLICATION', 'JGRANTS',
            'MYNA_PORTAL', 'OTHER_NATIONAL_SYSTEM', 'DEDICATED_SYSTEM'
        )
    )
);

CREATE INDEX hearing_outcomes_procedure_id_idx ON hearing_outcomes (procedure_id);

CREATE TABLE user_tests (
    id              uuid NOT NULL,
    procedure_id    uuid NOT NULL,
    held_on         date NOT NULL,
    participants    integer NOT NULL,
    tasks_attempted integer NOT NULL,
    tasks_completed integer NOT NULL,
    median_minutes  double precision,
    sus_score       double precision,
    findings        text[] NOT NULL,
    verdict         text NOT NULL,
    recorded_by     uuid NOT NULL,
    created_at      timestamptz NOT NULL,
    CONSTRAINT user_tests_pkey PRIMARY KEY (id),
    CONSTRAINT user_tests_procedure_id_fkey FOREIGN KEY (procedure_id) REFERENCES procedures (id),
    CONSTRAINT user_tests_recorded_by_fkey FOREIGN KEY (recorded_by) REFERENCES users (id),
    CONSTRAINT user_tests_verdict_check CHECK (verdict IN ('PASS', 'FAIL'))
);

-- A procedure's tests oldest first, and its latest one (the user_test_passed guard).
CREATE INDEX user_tests_procedure_id_created_at_idx ON user_tests (procedure_id, created_at, id);

CREATE TABLE tasks (
    id              uuid NOT NULL,
    title           text NOT NULL,
    description     text,
    procedure_id    uuid,
    bureau_id       uuid NOT NULL,
    assignee_id     uuid,
    due_on          date,
    status          text NOT NULL,
    completion_note text,
    completed_at    timestamptz,
    hearing_id      uuid,
    created_by      uuid NOT NULL,
    version         integer NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    -- The listing's sort key: the due date, tasks without one last ('infinity'). Keyset cursors
    -- compare (due_key, id) as one row value, which an index on it serves; with due_on itself a
    -- NULL would need an OR that no index bound can use. Same column as on SQLite.
    due_key         date NOT NULL GENERATED ALWAYS AS (COALESCE(due_on, 'infinity'::date)) STORED,
    CONSTRAINT tasks_pkey PRIMARY KEY (id),
    CONSTRAINT tasks_procedure_id_fkey FOREIGN KEY (procedure_id) REFERENCES procedures (id),
    CONSTRAINT tasks_bureau_id_fkey FOREIGN KEY (bureau_id) REFERENCES bureaus (id),
    CONSTRAINT tasks_assignee_id_fkey FOREIGN KEY (assignee_id) REFERENCES users (id),
    CONSTRAINT tasks_hearing_id_fkey FOREIGN KEY (hearing_id) REFERENCES hearings (id),
    CONSTRAINT tasks_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id),
    CONSTRAINT tasks_status_check CHECK (status IN ('OPEN', 'DONE', 'CANCELLED'))
);

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
    id           bigint GENERATED ALWAYS AS IDENTITY,
    procedure_id uuid NOT NULL,
    from_quarter text COLLATE "C",
    to_quarter   text COLLATE "C",
    at           timestamptz NOT NULL,
    actor        text NOT NULL,
    reason       text,
    CONSTRAINT target_changes_pkey PRIMARY KEY (id),
    CONSTRAINT target_changes_procedure_id_fkey
        FOREIGN KEY (procedure_id) REFERENCES procedures (id)
);

CREATE INDEX target_changes_procedure_id_id_idx ON target_changes (procedure_id, id);
