-- Server-side sessions of the web dashboard (issue 14). SQLite dialect of
-- migrations/postgres/0010_web.sql: same table, columns, constraint and index names; encodings
-- as in 0005 (STRICT tables, UUIDs and instants as TEXT). See the PostgreSQL file for what the
-- table holds and how it is kept small.

CREATE TABLE web_sessions (
    id_hash     TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id),
    csrf_token  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    revoked_at  TEXT,
    client_addr TEXT
) STRICT;

CREATE INDEX web_sessions_user_id_idx ON web_sessions (user_id, expires_at);
