-- Identities, API tokens, approvals with substitute approvers, and the audit trail.
-- Mirrors migrations/sqlite/0002_identity_approvals_audit.sql: same tables, columns and
-- constraint names (the stores map violations to errors by those names), in PostgreSQL's
-- native types. Enum-like columns hold the domain's stable keys (`as_str()`).
--
-- E-mail addresses are `COLLATE "C"` for the same reason as codes in 0001: listing by address
-- and uniqueness are bytewise on both backends (addresses are stored lower-cased).

CREATE TABLE users (
    id           uuid NOT NULL,
    display_name text NOT NULL,
    email        text COLLATE "C" NOT NULL,
    role         text NOT NULL,
    bureau_id    uuid,
    disabled     boolean NOT NULL,
    created_at   timestamptz NOT NULL,
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_bureau_id_fkey FOREIGN KEY (bureau_id) REFERENCES bureaus (id),
    CONSTRAINT users_role_check
        CHECK (role IN ('ADMIN', 'PROJECT_OFFICE', 'BUREAU_COORDINATOR', 'VIEWER'))
);

CREATE TABLE api_tokens (
    id           uuid NOT NULL,
    user_id      uuid NOT NULL,
    name         text NOT NULL,
    prefix       text NOT NULL,
    secret_hash  text NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz,
    CONSTRAINT api_tokens_pkey PRIMARY KEY (id),
    CONSTRAINT api_tokens_secret_hash_key UNIQUE (secret_hash),
    CONSTRAINT api_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)
);

CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id);

CREATE TABLE approval_requests (
    id               uuid NOT NULL,
    procedure_id     uuid NOT NULL,
    transition       text NOT NULL,
    from_state       text NOT NULL,
    to_state         text NOT NULL,
    expected_version integer NOT NULL,
    comment          text,
    requested_by     uuid NOT NULL,
    role             text NOT NULL,
    required         integer NOT NULL,
    status           text NOT NULL,
    reason           text,
    created_at       timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    closed_at        timestamptz,
    version          integer NOT NULL,
    CONSTRAINT approval_requests_pkey PRIMARY KEY (id),
    CONSTRAINT approval_requests_procedure_id_fkey
        FOREIGN KEY (procedure_id) REFERENCES procedures (id),
    CONSTRAINT approval_requests_requested_by_fkey
        FOREIGN KEY (requested_by) REFERENCES users (id),
    CONSTRAINT approval_requests_role_check
        CHECK (role IN ('ADMIN', 'PROJECT_OFFICE', 'BUREAU_COORDINATOR', 'VIEWER')),
    CONSTRAINT approval_requests_required_check CHECK (required >= 1),
    CONSTRAINT approval_requests_status_check CHECK (
        status IN ('PENDING', 'APPROVED', 'REJECTED', 'WITHDRAWN', 'EXPIRED', 'FAILED')
    )
);

-- At most one open request per procedure, enforced where concurrent requesters meet.
CREATE UNIQUE INDEX approval_requests_one_pending
    ON approval_requests (procedure_id) WHERE status = 'PENDING';
CREATE INDEX approval_requests_created_at_id_idx ON approval_requests (created_at, id);
CREATE INDEX approval_requests_status_idx ON approval_requests (status);
CREATE INDEX approval_requests_pending_expires_at_idx
    ON approval_requests (expires_at) WHERE status = 'PENDING';

CREATE TABLE approval_votes (
    request_id   uuid NOT NULL,
    approver     uuid NOT NULL,
    on_behalf_of uuid,
    -- The person this vote counts as. Generated, so no writer can get it wrong; unique per
    -- request (below), so that with the primary key (one vote per person casting) a substitute
    -- cannot vote once as themselves and once for their principal, nor two substitutes of the
    -- same person both vote.
    counts_for   uuid NOT NULL GENERATED ALWAYS AS (COALESCE(on_behalf_of, approver)) STORED,
    decision     text NOT NULL,
    comment      text,
    at           timestamptz NOT NULL,
    CONSTRAINT approval_votes_pkey PRIMARY KEY (request_id, approver),
    CONSTRAINT approval_votes_counts_for_key UNIQUE (request_id, counts_for),
    CONSTRAINT approval_votes_request_id_fkey
        FOREIGN KEY (request_id) REFERENCES approval_requests (id),
    CONSTRAINT approval_votes_approver_fkey FOREIGN KEY (approver) REFERENCES users (id),
    CONSTRAINT approval_votes_on_behalf_of_fkey FOREIGN KEY (on_behalf_of) REFERENCES users (id),
    CONSTRAINT approval_votes_decision_check CHECK (decision IN ('APPROVE', 'REJECT'))
);

CREATE TABLE delegations (
    id         uuid NOT NULL,
    delegator  uuid NOT NULL,
    delegate   uuid NOT NULL,
    starts_on  date NOT NULL,
    ends_on    date NOT NULL,
    created_at timestamptz NOT NULL,
    revoked_at timestamptz,
    CONSTRAINT delegations_pkey PRIMARY KEY (id),
    CONSTRAINT delegations_delegator_fkey FOREIGN KEY (delegator) REFERENCES users (id),
    CONSTRAINT delegations_delegate_fkey FOREIGN KEY (delegate) REFERENCES users (id)
);

CREATE INDEX delegations_delegator_idx ON delegations (delegator);
CREATE INDEX delegations_delegate_idx ON delegations (delegate);

-- `on_behalf_of` has no foreign key on purpose: an entry must be writable even when it
-- describes an attempt naming someone who does not exist (a denied vote as a substitute).
CREATE TABLE audit_log (
    id           uuid NOT NULL,
    at           timestamptz NOT NULL,
    actor_id     uuid,
    actor        text NOT NULL,
    on_behalf_of uuid,
    action       text COLLATE "C" NOT NULL,
    target_type  text NOT NULL,
    target_id    text,
    before       jsonb,
    after        jsonb,
    outcome      text NOT NULL,
    request_id   text,
    client_addr  text,
    CONSTRAINT audit_log_pkey PRIMARY KEY (id),
    CONSTRAINT audit_log_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES users (id),
    CONSTRAINT audit_log_outcome_check
        CHECK (outcome IN ('SUCCESS', 'UNAUTHENTICATED', 'FORBIDDEN'))
);

CREATE INDEX audit_log_at_id_idx ON audit_log (at, id);
CREATE INDEX audit_log_actor_id_at_idx ON audit_log (actor_id, at);
CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id);

-- The trail is append-only in the database itself, not only by the absence of store methods:
-- UPDATE, DELETE and TRUNCATE are refused for every role, psql sessions included. The triggers
-- are statement-level, so an attempt is refused even when it would touch no row. A superuser
-- can still disable triggers (ALTER TABLE ... DISABLE TRIGGER, session_replication_role);
-- deployments that need more should also REVOKE UPDATE, DELETE, TRUNCATE from the app's role.
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'audit entries are only ever inserted';
END;
$$;

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- Which approval request, if any, a transition completed.
ALTER TABLE transition_records
    ADD COLUMN approval_request_id uuid,
    ADD CONSTRAINT transition_records_approval_request_id_fkey
        FOREIGN KEY (approval_request_id) REFERENCES approval_requests (id);
