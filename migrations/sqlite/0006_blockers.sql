-- What procedures wait on: law changes Tokyo requests (and their status history), milestones,
-- the dependencies that link a procedure to what it needs, and the graph version that every
-- graph-changing batch bumps. SQLite dialect of migrations/postgres/0006_blockers.sql: same
-- table, column, constraint and index names. Encodings as in 0001 and 0002: STRICT tables,
-- lower-case hyphenated UUID TEXT, fixed-width microsecond UTC instants and 'YYYY-MM-DD' dates
-- as TEXT, enum keys as TEXT. The checks only keep enum columns to their keys; the life cycle
-- itself (which status may follow which) is the law-change workflow's, checked by the app.

CREATE TABLE law_changes (
    id                    TEXT PRIMARY KEY NOT NULL,
    code                  TEXT NOT NULL,
    title_ja              TEXT NOT NULL,
    title_en              TEXT,
    level                 TEXT NOT NULL CHECK (level IN ('NATIONAL_LAW', 'CABINET_ORDER',
                                                         'MINISTERIAL_ORDINANCE', 'NOTICE',
                                                         'TOKYO_ORDINANCE', 'TOKYO_RULE')),
    ministry_ja           TEXT,
    ministry_en           TEXT,
    law_name              TEXT,
    article               TEXT,
    owner_bureau_id       TEXT NOT NULL REFERENCES bureaus (id),
    status                TEXT NOT NULL CHECK (status IN ('NOT_REQUESTED', 'REQUESTED',
                                                          'UNDER_STUDY', 'DATE_SHOWN', 'ENACTED',
                                                          'DECLINED', 'WITHDRAWN')),
    requested_on          TEXT,
    expected_effective_on TEXT,
    enacted_on            TEXT,
    notes                 TEXT,
    version               INTEGER NOT NULL,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    CONSTRAINT law_changes_code_key UNIQUE (code)
) STRICT;

CREATE INDEX law_changes_owner_bureau_id_code_idx ON law_changes (owner_bureau_id, code);

CREATE TABLE law_change_history (
    id            TEXT PRIMARY KEY NOT NULL,
    law_change_id TEXT NOT NULL REFERENCES law_changes (id),
    -- NULL for the record made when the law change was created.
    from_status   TEXT CHECK (from_status IN ('NOT_REQUESTED', 'REQUESTED', 'UNDER_STUDY',
                                              'DATE_SHOWN', 'ENACTED', 'DECLINED', 'WITHDRAWN')),
    to_status     TEXT NOT NULL CHECK (to_status IN ('NOT_REQUESTED', 'REQUESTED', 'UNDER_STUDY',
                                                     'DATE_SHOWN', 'ENACTED', 'DECLINED',
                                                     'WITHDRAWN')),
    -- The date the status names (requested on, expected effective date, enacted on); `on` is a
    -- reserved word.
    on_date       TEXT,
    reason        TEXT,
    actor         TEXT NOT NULL,
    actor_id      TEXT REFERENCES users (id),
    at            TEXT NOT NULL
) STRICT;

-- A law change's history oldest first (by `at`, then id), for one or a page of them.
CREATE INDEX law_change_history_law_change_id_at_id_idx
    ON law_change_history (law_change_id, at, id);

CREATE TABLE milestones (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    platform   TEXT CHECK (platform IN ('JOINT_E_APPLICATION', 'SAAS_E_APPLICATION', 'JGRANTS',
                                        'MYNA_PORTAL', 'OTHER_NATIONAL_SYSTEM',
                                        'DEDICATED_SYSTEM')),
    planned_on TEXT,
    status     TEXT NOT NULL CHECK (status IN ('PLANNED', 'DONE', 'CANCELLED')),
    done_on    TEXT,
    notes      TEXT,
    version    INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE dependencies (
    id             TEXT PRIMARY KEY NOT NULL,
    procedure_id   TEXT NOT NULL REFERENCES procedures (id),
    -- What the procedure needs: a law change, a milestone or another procedure. `on_id` has no
    -- foreign key (it points into one of three tables); the batch write checks it exists.
    on_kind        TEXT NOT NULL CHECK (on_kind IN ('LAW_CHANGE', 'MILESTONE', 'PROCEDURE')),
    on_id          TEXT NOT NULL,
    reason         TEXT,
    -- NULL for edges loaded by an import or the demo generator.
    created_by     TEXT REFERENCES users (id),
    created_at     TEXT NOT NULL,
    -- Removal is recorded, never a delete: only edges with removed_at NULL are in the graph.
    removed_at     TEXT,
    removed_by     TEXT REFERENCES users (id),
    removed_reason TEXT,
    CONSTRAINT dependencies_removal_check CHECK (
        removed_at IS NOT NULL OR (removed_by IS NULL AND removed_reason IS NULL)
    )
) STRICT;

-- One active edge per (procedure, blocker); a removed edge may be added again.
CREATE UNIQUE INDEX dependencies_one_active ON dependencies (procedure_id, on_kind, on_id)
    WHERE removed_at IS NULL;
-- Reverse lookups: what waits on a blocker (active or not, for "as of" questions).
CREATE INDEX dependencies_on_kind_on_id_idx ON dependencies (on_kind, on_id);
CREATE INDEX dependencies_procedure_id_idx ON dependencies (procedure_id);
CREATE INDEX dependencies_created_at_id_idx ON dependencies (created_at, id);

-- One row: the version of the dependency graph. Every batch that changes the graph bumps it
-- with a compare-and-set (`version = expected`) inside the single writer's transaction, and
-- replicas that cache the graph reload it when it moves.
CREATE TABLE graph_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
) STRICT;

INSERT INTO graph_version (id, version) VALUES (1, 0);
