-- Server-side sessions of the web dashboard (issue 14). Mirrors migrations/sqlite/0010_web.sql:
-- same table, columns, constraint and index names.
--
-- web_sessions: one row per signed-in browser. The cookie carries a random 256-bit secret and
-- only its lower-case hex SHA-256 is kept here (`id_hash`, the key), as for api_tokens: a read of
-- this table cannot be replayed as a cookie, and a fast hash is enough for a secret with that
-- much randomness. `csrf_token` is the synchroniser token the session's forms must echo. A
-- session is live while `revoked_at` is null and `expires_at` is ahead; whether it is, and whose
-- actor it gives, is decided in Rust, never here. Rows are not kept for ever: opening a session
-- deletes that user's sessions that expired more than a week before (the store's
-- housekeeping, in the same transaction), so the table stays near the number of people
-- signed in.
--
-- A person's language, which the dashboard reads as well, is user_preferences (0007): no
-- second table. The application role of deploy/postgres/roles.sql gets its grants on the new
-- table through default privileges.

CREATE TABLE web_sessions (
    id_hash     text NOT NULL,
    user_id     uuid NOT NULL,
    csrf_token  text NOT NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    client_addr text,
    CONSTRAINT web_sessions_pkey PRIMARY KEY (id_hash),
    CONSTRAINT web_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)
);

-- A user's sessions: the administrator's list, revoking them all, and the housekeeping.
CREATE INDEX web_sessions_user_id_idx ON web_sessions (user_id, expires_at);
