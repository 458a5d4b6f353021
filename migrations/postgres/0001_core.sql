-- Core schema: bureaus, procedures, their transition history and idempotency keys.
-- Mirrors migrations/sqlite/0001_core.sql: same tables, columns and constraint names, in
-- PostgreSQL's native types. Enum-like columns hold the domain's stable keys (`as_str()`).
--
-- Codes and quarters are `COLLATE "C"` so that ORDER BY, keyset comparisons and uniqueness are
-- bytewise whatever the database's default collation is (SQLite compares bytes; en_US would
-- ignore '-' and '_' and reorder codes). Quarters like 'FY2025-Q3' then sort chronologically.
--
-- Search is a plain ILIKE over code, name and name_en: pg_trgm is not guaranteed to be installed
-- (or creatable) on managed servers, and a sequential scan of ~28,000 short rows takes a few
-- milliseconds. A trigram index can come in a later migration if listings get slow.

CREATE TABLE bureaus (
    id      uuid NOT NULL,
    code    text COLLATE "C" NOT NULL,
    name_ja text NOT NULL,
    name_en text NOT NULL,
    CONSTRAINT bureaus_pkey PRIMARY KEY (id),
    CONSTRAINT bureaus_code_key UNIQUE (code)
);

CREATE TABLE procedures (
    id                  uuid NOT NULL,
    code                text COLLATE "C" NOT NULL,
    name                text NOT NULL,
    name_en             text,
    bureau_id           uuid NOT NULL,
    category            text NOT NULL,
    authority           text NOT NULL,
    annual_applications bigint,
    process_count       integer NOT NULL,
    platform            text,
    target_quarter      text COLLATE "C",
    released_on         date,
    state               text COLLATE "C" NOT NULL,
    version             integer NOT NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    CONSTRAINT procedures_pkey PRIMARY KEY (id),
    CONSTRAINT procedures_code_key UNIQUE (code),
    CONSTRAINT procedures_bureau_id_fkey FOREIGN KEY (bureau_id) REFERENCES bureaus (id),
    CONSTRAINT procedures_category_check CHECK (category IN ('MAJOR', 'STANDARD', 'SUBSIDY')),
    CONSTRAINT procedures_authority_check CHECK (authority IN ('TOKYO', 'NATIONAL')),
    CONSTRAINT procedures_platform_check CHECK (
        platform IS NULL OR platform IN (
            'JOINT_E_APPLICATION', 'SAAS_E_APPLICATION', 'JGRANTS',
            'MYNA_PORTAL', 'OTHER_NATIONAL_SYSTEM', 'DEDICATED_SYSTEM'
        )
    )
);

CREATE INDEX procedures_bureau_id_code_idx ON procedures (bureau_id, code);
CREATE INDEX procedures_state_idx ON procedures (state);
CREATE INDEX procedures_created_at_id_idx ON procedures (created_at, id);
CREATE INDEX procedures_updated_at_id_idx ON procedures (updated_at, id);
CREATE INDEX procedures_target_quarter_idx ON procedures (target_quarter);

CREATE TABLE transition_records (
    id                uuid NOT NULL,
    procedure_id      uuid NOT NULL,
    from_state        text,
    to_state          text NOT NULL,
    transition        text NOT NULL,
    actor             text NOT NULL,
    comment           text,
    at                timestamptz NOT NULL,
    workflow_version  text NOT NULL,
    procedure_version integer NOT NULL,
    CONSTRAINT transition_records_pkey PRIMARY KEY (id),
    CONSTRAINT transition_records_procedure_id_fkey
        FOREIGN KEY (procedure_id) REFERENCES procedures (id),
    CONSTRAINT transition_records_procedure_version_key UNIQUE (procedure_id, procedure_version)
);

CREATE INDEX transition_records_procedure_id_at_id_idx ON transition_records (procedure_id, at, id);

CREATE TABLE idempotency_keys (
    key         text NOT NULL,
    fingerprint text NOT NULL,
    record_id   uuid NOT NULL,
    created_at  timestamptz NOT NULL,
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (key),
    CONSTRAINT idempotency_keys_record_id_fkey
        FOREIGN KEY (record_id) REFERENCES transition_records (id)
);
