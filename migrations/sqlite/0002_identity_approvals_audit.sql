-- Identities, API tokens, approval requests with their votes, substitute arrangements
-- (delegations) and the append-only audit trail.
-- SQLite dialect of migrations/postgres/0002_identity_approvals_audit.sql: same table, column,
-- constraint and index names. Encodings as in 0001: STRICT tables, lower-case hyphenated UUID
-- TEXT, fixed-width microsecond UTC instants as TEXT, dates as 'YYYY-MM-DD', enum keys as TEXT,
-- booleans as INTEGER 0/1, JSON as TEXT checked with json_valid.

CREATE TABLE users (
    id           TEXT PRIMARY KEY NOT NULL,
    display_name TEXT NOT NULL,
    email        TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('ADMIN', 'PROJECT_OFFICE', 'BUREAU_COORDINATOR',
                                               'VIEWER')),
    bureau_id    TEXT REFERENCES bureaus (id),
    disabled     INTEGER NOT NULL CHECK (disabled IN (0, 1)),
    created_at   TEXT NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
) STRICT;

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    secret_hash  TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    last_used_at TEXT,
    revoked_at   TEXT,
    CONSTRAINT api_tokens_secret_hash_key UNIQUE (secret_hash)
) STRICT;

CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id);

CREATE TABLE approval_requests (
    id               TEXT PRIMARY KEY NOT NULL,
    procedure_id     TEXT NOT NULL REFERENCES procedures (id),
    transition       TEXT NOT NULL,
    from_state       TEXT NOT NULL,
    to_state         TEXT NOT NULL,
    expected_version INTEGER NOT NULL,
    comment          TEXT,
    requested_by     TEXT NOT NULL REFERENCES users (id),
    role             TEXT NOT NULL CHECK (role IN ('ADMIN', 'PROJECT_OFFICE',
                                                   'BUREAU_COORDINATOR', 'VIEWER')),
    required         INTEGER NOT NULL CHECK (required >= 1),
    status           TEXT NOT NULL CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED',
                                                     'WITHDRAWN', 'EXPIRED', 'FAILED')),
    reason           TEXT,
    created_at       TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    closed_at        TEXT,
    version          INTEGER NOT NULL
) STRICT;

-- At most one pending request per procedure, enforced where races cannot slip past it.
CREATE UNIQUE INDEX approval_requests_one_pending ON approval_requests (procedure_id)
    WHERE status = 'PENDING';
CREATE INDEX approval_requests_created_at_id_idx ON approval_requests (created_at, id);
CREATE INDEX approval_requests_status_idx ON approval_requests (status);
CREATE INDEX approval_requests_pending_expires_at_idx ON approval_requests (expires_at)
    WHERE status = 'PENDING';

CREATE TABLE approval_votes (
    request_id   TEXT NOT NULL REFERENCES approval_requests (id),
    approver     TEXT NOT NULL REFERENCES users (id),
    on_behalf_of TEXT REFERENCES users (id),
    -- The person this vote counts as. Generated, so no writer can get it wrong; unique per
    -- request, so a substitute cannot vote once as themselves and once for their principal.
    counts_for   TEXT NOT NULL GENERATED ALWAYS AS (COALESCE(on_behalf_of, approver)) STORED,
    decision     TEXT NOT NULL CHECK (decision IN ('APPROVE', 'REJECT')),
    comment      TEXT,
    at           TEXT NOT NULL,
    CONSTRAINT approval_votes_pkey PRIMARY KEY (request_id, approver),
    CONSTRAINT approval_votes_counts_for_key UNIQUE (request_id, counts_for)
) STRICT;

CREATE TABLE delegations (
    id         TEXT PRIMARY KEY NOT NULL,
    delegator  TEXT NOT NULL REFERENCES users (id),
    delegate   TEXT NOT NULL REFERENCES users (id),
    starts_on  TEXT NOT NULL,
    ends_on    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
) STRICT;

CREATE INDEX delegations_delegate_idx ON delegations (delegate);
CREATE INDEX delegations_delegator_idx ON delegations (delegator);

CREATE TABLE audit_log (
    id           TEXT PRIMARY KEY NOT NULL,
    at           TEXT NOT NULL,
    actor_id     TEXT REFERENCES users (id),
    actor        TEXT NOT NULL,
    on_behalf_of TEXT,
    action       TEXT NOT NULL,
    target_type  TEXT NOT NULL,
    target_id    TEXT,
    "before"     TEXT CHECK ("before" IS NULL OR json_valid("before")),
    "after"      TEXT CHECK ("after" IS NULL OR json_valid("after")),
    outcome      TEXT NOT NULL CHECK (outcome IN ('SUCCESS', 'UNAUTHENTICATED', 'FORBIDDEN')),
    request_id   TEXT,
    client_addr  TEXT
) STRICT;

CREATE INDEX audit_log_at_id_idx ON audit_log (at, id);
CREATE INDEX audit_log_actor_id_at_idx ON audit_log (actor_id, at);
CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id);

-- Append-only at the database level too: no code path, however wrong, can rewrite the trail.
-- SQLite triggers fire per row, so a statement matching no row is not refused (it changes
-- nothing either); PostgreSQL's statement-level triggers refuse even that.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

ALTER TABLE transition_records
    ADD COLUMN approval_request_id TEXT REFERENCES approval_requests (id);
