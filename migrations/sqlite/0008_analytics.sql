-- Analytics (issue 13): the history of a procedure's descriptive fields that figures as of a past
-- date depend on (bureau, category, authority, annual applications, process count, platform), and
-- the quarter snapshots the project office freezes. SQLite dialect of
-- migrations/postgres/0008_analytics.sql: same table, column, constraint and index names. A
-- revision keeps the old and new value in their storage form (a bureau's UUID, an enum key, a
-- number as text); a snapshot keeps its figures as the JSON of rollout_store::analytics_codec.

CREATE TABLE field_revisions (
    -- Insertion order is history order: two changes of one procedure may share an instant.
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    procedure_id TEXT NOT NULL REFERENCES procedures (id),
    field        TEXT NOT NULL CHECK (field IN (
        'BUREAU', 'CATEGORY', 'AUTHORITY', 'ANNUAL_APPLICATIONS', 'PROCESS_COUNT', 'PLATFORM'
    )),
    old_value    TEXT,
    new_value    TEXT,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    reason       TEXT
) STRICT;

CREATE INDEX field_revisions_procedure_id_id_idx ON field_revisions (procedure_id, id);

CREATE TABLE quarter_snapshots (
    quarter   TEXT PRIMARY KEY NOT NULL,
    figures   TEXT NOT NULL,
    frozen_at TEXT NOT NULL,
    frozen_by TEXT NOT NULL
) STRICT;
