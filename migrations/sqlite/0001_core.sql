-- Core tables: bureaus, procedures, their transition history and idempotency keys.
-- SQLite dialect of migrations/postgres/0001_core.sql: same table, column and constraint names.
-- Every table is STRICT. UUIDs are lower-case hyphenated TEXT (their text order is PostgreSQL's
-- uuid order); instants are TEXT '%Y-%m-%dT%H:%M:%S.ffffffZ' in UTC, fixed width, so text order
-- is time order; dates are 'YYYY-MM-DD'. Enums hold the domain's stable keys.

CREATE TABLE bureaus (
    id      TEXT PRIMARY KEY NOT NULL,
    code    TEXT NOT NULL,
    name_ja TEXT NOT NULL,
    name_en TEXT NOT NULL,
    CONSTRAINT bureaus_code_key UNIQUE (code)
) STRICT;

CREATE TABLE procedures (
    id                  TEXT PRIMARY KEY NOT NULL,
    code                TEXT NOT NULL,
    name                TEXT NOT NULL,
    name_en             TEXT,
    bureau_id           TEXT NOT NULL REFERENCES bureaus (id),
    category            TEXT NOT NULL CHECK (category IN ('MAJOR', 'STANDARD', 'SUBSIDY')),
    authority           TEXT NOT NULL CHECK (authority IN ('TOKYO', 'NATIONAL')),
    annual_applications INTEGER,
    process_count       INTEGER NOT NULL,
    platform            TEXT CHECK (platform IN ('JOINT_E_APPLICATION', 'SAAS_E_APPLICATION',
                                                 'JGRANTS', 'MYNA_PORTAL',
                                                 'OTHER_NATIONAL_SYSTEM', 'DEDICATED_SYSTEM')),
    target_quarter      TEXT,
    released_on         TEXT,
    state               TEXT NOT NULL,
    version             INTEGER NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    CONSTRAINT procedures_code_key UNIQUE (code)
) STRICT;

CREATE INDEX procedures_bureau_id_code_idx ON procedures (bureau_id, code);
CREATE INDEX procedures_state_idx ON procedures (state);
CREATE INDEX procedures_created_at_id_idx ON procedures (created_at, id);
CREATE INDEX procedures_updated_at_id_idx ON procedures (updated_at, id);
CREATE INDEX procedures_target_quarter_idx ON procedures (target_quarter);

CREATE TABLE transition_records (
    id                TEXT PRIMARY KEY NOT NULL,
    procedure_id      TEXT NOT NULL REFERENCES procedures (id),
    from_state        TEXT,
    to_state          TEXT NOT NULL,
    transition        TEXT NOT NULL,
    actor             TEXT NOT NULL,
    comment           TEXT,
    at                TEXT NOT NULL,
    workflow_version  TEXT NOT NULL,
    procedure_version INTEGER NOT NULL,
    -- Database-level guard: two transitions can never both be applied from the same version.
    CONSTRAINT transition_records_procedure_version_key UNIQUE (procedure_id, procedure_version)
) STRICT;

CREATE INDEX transition_records_procedure_id_at_id_idx ON transition_records (procedure_id, at, id);

CREATE TABLE idempotency_keys (
    key         TEXT PRIMARY KEY NOT NULL,
    fingerprint TEXT NOT NULL,
    record_id   TEXT NOT NULL REFERENCES transition_records (id),
    created_at  TEXT NOT NULL
) STRICT;
