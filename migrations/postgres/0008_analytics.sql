-- Analytics (issue 13): the history of a procedure's descriptive fields that figures as of a past
-- date depend on (bureau, category, authority, annual applications, process count, platform), and
-- the quarter snapshots the project office freezes. Mirrors migrations/sqlite/0008_analytics.sql:
-- same tables, columns, constraint and index names. A revision keeps the old and new value in
-- their storage form (a bureau's UUID, an enum key, a number as text); a snapshot keeps its
-- figures as the JSON of rollout_store::analytics_codec (jsonb). The application role of
-- deploy/postgres/roles.sql gets its grants on these tables and on field_revisions' identity
-- sequence through default privileges, as for 0005.

CREATE TABLE field_revisions (
    -- Insertion order is history order: two changes of one procedure may share an instant.
    id           bigint GENERATED ALWAYS AS IDENTITY,
    procedure_id uuid NOT NULL,
    field        text NOT NULL,
    old_value    text,
    new_value    text,
    at           timestamptz NOT NULL,
    actor        text NOT NULL,
    reason       text,
    CONSTRAINT field_revisions_pkey PRIMARY KEY (id),
    CONSTRAINT field_revisions_procedure_id_fkey
        FOREIGN KEY (procedure_id) REFERENCES procedures (id),
    CONSTRAINT field_revisions_field_check CHECK (field IN (
        'BUREAU', 'CATEGORY', 'AUTHORITY', 'ANNUAL_APPLICATIONS', 'PROCESS_COUNT', 'PLATFORM'
    ))
);

CREATE INDEX field_revisions_procedure_id_id_idx ON field_revisions (procedure_id, id);

CREATE TABLE quarter_snapshots (
    quarter   text COLLATE "C" NOT NULL,
    figures   jsonb NOT NULL,
    frozen_at timestamptz NOT NULL,
    frozen_by text NOT NULL,
    CONSTRAINT quarter_snapshots_pkey PRIMARY KEY (quarter)
);
