-- no-transaction
-- The quality map of priority procedures and residents' user reviews (issue 13). SQLite
-- dialect of migrations/postgres/0009_quality.sql: same tables, columns, constraint and index
-- names; encodings as in 0005 (STRICT tables, UUIDs and instants as TEXT, booleans as 0/1).
-- See the PostgreSQL file for what the tables hold.
--
-- The review form signs in as a user of the new role REVIEW_INTAKE, and SQLite cannot change a
-- CHECK constraint in place: `users` is rebuilt with the procedure SQLite documents for schema
-- changes (https://www.sqlite.org/lang_altertable.html#otheralter). A dozen tables refer to
-- users(id), so its old copy can only be dropped with foreign keys off, and that pragma is a
-- no-op inside a transaction: hence the first line, which tells sqlx to run this file outside
-- its own transaction, and the explicit BEGIN … COMMIT around every change below (all of it
-- or none of it is applied). Nothing references the new table by its temporary name, and the
-- children's REFERENCES users (id) name the final one, so they point at the rebuilt table.
-- The server's connections turn foreign keys on again when they open; the last line does it
-- for this one.

PRAGMA foreign_keys = OFF;

BEGIN;

CREATE TABLE users_rebuilt (
    id           TEXT PRIMARY KEY NOT NULL,
    display_name TEXT NOT NULL,
    email        TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('ADMIN', 'PROJECT_OFFICE', 'BUREAU_COORDINATOR',
                                               'VIEWER', 'REVIEW_INTAKE')),
    bureau_id    TEXT REFERENCES bureaus (id),
    disabled     INTEGER NOT NULL CHECK (disabled IN (0, 1)),
    created_at   TEXT NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
) STRICT;

INSERT INTO users_rebuilt (id, display_name, email, role, bureau_id, disabled, created_at)
SELECT id, display_name, email, role, bureau_id, disabled, created_at FROM users;

DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;

CREATE TABLE quality_assessments (
    id                TEXT PRIMARY KEY NOT NULL,
    procedure_id      TEXT NOT NULL REFERENCES procedures (id),
    online_end_to_end INTEGER NOT NULL CHECK (online_end_to_end IN (0, 1)),
    smartphone_ready  INTEGER NOT NULL CHECK (smartphone_ready IN (0, 1)),
    attachments       INTEGER NOT NULL,
    identity_check    TEXT NOT NULL CHECK (identity_check IN ('NONE', 'ID_UPLOAD',
                                                               'MY_NUMBER_CARD')),
    fee               TEXT NOT NULL CHECK (fee IN ('NO_FEE', 'CASHLESS', 'CASH_ONLY')),
    standard_days     INTEGER,
    actual_days       INTEGER,
    note              TEXT,
    assessed_at       TEXT NOT NULL,
    assessed_by       TEXT NOT NULL REFERENCES users (id)
) STRICT;

CREATE INDEX quality_assessments_procedure_id_assessed_at_idx
    ON quality_assessments (procedure_id, assessed_at, id);

CREATE TABLE user_reviews (
    id           TEXT PRIMARY KEY NOT NULL,
    procedure_id TEXT NOT NULL REFERENCES procedures (id),
    rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    -- length() counts characters, like PostgreSQL's char_length().
    comment      TEXT CHECK (length(comment) <= 4000),
    channel      TEXT NOT NULL CHECK (channel IN ('PC', 'SMARTPHONE', 'COUNTER', 'OTHER')),
    submitted_at TEXT NOT NULL,
    quarter      TEXT NOT NULL,
    submitted_by TEXT NOT NULL REFERENCES users (id)
) STRICT;

CREATE INDEX user_reviews_procedure_id_quarter_rating_idx
    ON user_reviews (procedure_id, quarter, rating);

COMMIT;

PRAGMA foreign_keys = ON;
