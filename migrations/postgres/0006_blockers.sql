-- What procedures wait on: law changes Tokyo requests (and their status history), milestones,
-- the dependencies that link a procedure to what it needs, and the graph version that every
-- graph-changing batch bumps. Mirrors migrations/sqlite/0006_blockers.sql: same tables, columns,
-- constraint and index names (the store maps violations by those names), in PostgreSQL's native
-- types. Codes are `COLLATE "C"` like procedure codes, so that the listing orders them bytewise
-- on both backends. The checks only keep enum columns to their keys; the life cycle itself
-- (which status may follow which) is the law-change workflow's, checked by the app. The
-- application role of deploy/postgres/roles.sql gets its grants on these tables through default
-- privileges, as for 0005.

CREATE TABLE law_changes (
    id                    uuid NOT NULL,
    code                  text COLLATE "C" NOT NULL,
    title_ja              text NOT NULL,
    title_en              text,
    level                 text NOT NULL,
    ministry_ja           text,
    ministry_en           text,
    law_name              text,
    article               text,
    owner_bureau_id       uuid NOT NULL,
    status                text NOT NULL,
    requested_on          date,
    expected_effective_on date,
    enacted_on            date,
    notes                 text,
    version               integer NOT NULL,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL,
    CONSTRAINT law_changes_pkey PRIMARY KEY (id),
    CONSTRAINT law_changes_code_key UNIQUE (code),
    CONSTRAINT law_changes_owner_bureau_id_fkey
        FOREIGN KEY (owner_bureau_id) REFERENCES bureaus (id),
    CONSTRAINT law_changes_level_check CHECK (
        level IN ('NATIONAL_LAW', 'CABINET_ORDER', 'MINISTERIAL_ORDINANCE', 'NOTICE',
                  'TOKYO_ORDINANCE', 'TOKYO_RULE')
    ),
    CONSTRAINT law_changes_status_check CHECK (
        status IN ('NOT_REQUESTED', 'REQUESTED', 'UNDER_STUDY', 'DATE_SHOWN', 'ENACTED',
                   'DECLINED', 'WITHDRAWN')
    )
);

CREATE INDEX law_changes_owner_bureau_id_code_idx ON law_changes (owner_bureau_id, code);

CREATE TABLE law_change_history (
    id            uuid NOT NULL,
    law_change_id uuid NOT NULL,
    -- NULL for the record made when the law change was created.
    from_status   text,
    to_status     text NOT NULL,
    -- The date the status names (requested on, expected effective date, enacted on); `on` is a
    -- reserved word.
    on_date       date,
    reason        text,
    actor         text NOT NULL,
    actor_id      uuid,
    at            timestamptz NOT NULL,
    CONSTRAINT law_change_history_pkey PRIMARY KEY (id),
    CONSTRAINT law_change_history_law_change_id_fkey
        FOREIGN KEY (law_change_id) REFERENCES law_changes (id),
    CONSTRAINT law_change_history_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES users (id),
    CONSTRAINT law_change_history_from_status_check CHECK (
        from_status IS NULL OR from_status IN ('NOT_REQUESTED', 'REQUESTED', 'UNDER_STUDY',
                                               'DATE_SHOWN', 'ENACTED', 'DECLINED', 'WITHDRAWN')
    ),
    CONSTRAINT law_change_history_to_status_check CHECK (
        to_status IN ('NOT_REQUESTED', 'REQUESTED', 'UNDER_STUDY', 'DATE_SHOWN', 'ENACTED',
                      'DECLINED', 'WITHDRAWN')
    )
);

-- A law change's history oldest first (by `at`, then id), for one or a page of them.
CREATE INDEX law_change_history_law_change_id_at_id_idx
    ON law_change_history (law_change_id, at, id);

CREATE TABLE milestones (
    id         uuid NOT NULL,
    name       text NOT NULL,
    platform   text,
    planned_on date,
    status     text NOT NULL,
    done_on    date,
    notes      text,
    version    integer NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CONSTRAINT milestones_pkey PRIMARY KEY (id),
    CONSTRAINT milestones_platform_check CHECK (
        platform IS NULL OR platform IN (
            'JOINT_E_APPLICATION', 'SAAS_E_APPLICATION', 'JGRANTS',
            'MYNA_PORTAL', 'OTHER_NATIONAL_SYSTEM', 'DEDICATED_SYSTEM'
        )
    ),
    CONSTRAINT milestones_status_check CHECK (status IN ('PLANNED', 'DONE', 'CANCELLED'))
);

CREATE TABLE dependencies (
    id             uuid NOT NULL,
    procedure_id   uuid NOT NULL,
    -- What the procedure needs: a law change, a milestone or another procedure. `on_id` has no
    -- foreign key (it points into one of three tables); the batch write checks it exists.
    on_kind        text NOT NULL,
    on_id          uuid NOT NULL,
    reason         text,
    -- NULL for edges loaded by an import or the demo generator.
    created_by     uuid,
    created_at     timestamptz NOT NULL,
    -- Removal is recorded, never a delete: only edges with removed_at NULL are in the graph.
    removed_at     timestamptz,
    removed_by     uuid,
    removed_reason text,
    CONSTRAINT dependencies_pkey PRIMARY KEY (id),
    CONSTRAINT dependencies_procedure_id_fkey
        FOREIGN KEY (procedure_id) REFERENCES procedures (id),
    CONSTRAINT dependencies_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id),
    CONSTRAINT dependencies_removed_by_fkey FOREIGN KEY (removed_by) REFERENCES users (id),
    CONSTRAINT dependencies_on_kind_check CHECK (on_kind IN ('LAW_CHANGE', 'MILESTONE', 'PROCEDURE')),
    CONSTRAINT dependencies_removal_check CHECK (
        removed_at IS NOT NULL OR (removed_by IS NULL AND removed_reason IS NULL)
    )
);

-- One active edge per (procedure, blocker); a removed edge may be added again.
CREATE UNIQUE INDEX dependencies_one_active ON dependencies (procedure_id, on_kind, on_id)
    WHERE removed_at IS NULL;
-- Reverse lookups: what waits on a blocker (active or not, for "as of" questions).
CREATE INDEX dependencies_on_kind_on_id_idx ON dependencies (on_kind, on_id);
CREATE INDEX dependencies_procedure_id_idx ON dependencies (procedure_id);
CREATE INDEX dependencies_created_at_id_idx ON dependencies (created_at, id);

-- One row: the version of the dependency graph. Every batch that changes the graph bumps it
-- with a compare-and-set (`version = expected`), whose row lock serialises such batches, and
-- replicas that cache the graph reload it when it moves.
CREATE TABLE graph_version (
    id      integer NOT NULL,
    version bigint NOT NULL,
    CONSTRAINT graph_version_pkey PRIMARY KEY (id),
    CONSTRAINT graph_version_one_row CHECK (id = 1)
);

INSERT INTO graph_version (id, version) VALUES (1, 0);
