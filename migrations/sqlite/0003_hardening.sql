-- Hardening: the audit trail refuses REPLACE too, and idempotency keys belong to their actor.
-- SQLite dialect of migrations/postgres/0003_hardening.sql.

-- REPLACE (`INSERT OR REPLACE`, `REPLACE INTO`) removes the row it conflicts with without firing
-- DELETE triggers (unless `PRAGMA recursive_triggers` is on), so the triggers of 0002 do not see
-- it. Refuse, before the insert, any new row that would collide with a stored one: on `id` or
-- on the hidden rowid (the table is not WITHOUT ROWID, so an explicit rowid can collide too).
-- This also refuses `INSERT ... ON CONFLICT DO UPDATE` (already refused as an UPDATE) and a
-- plain duplicate insert, before the conflict is even looked at.
CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id OR rowid = NEW.rowid)
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- In a BEFORE INSERT trigger an automatic rowid reads as -1; keeping stored rowids positive
-- means that -1 never matches a stored row above, and an explicit -1 cannot sneak in first.
CREATE TRIGGER audit_log_positive_rowid AFTER INSERT ON audit_log
WHEN NEW.rowid < 1
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Idempotency keys are scoped per actor: the same key sent by two users names two requests.
-- `owner` is the acting user's id (or a system actor's label). SQLite cannot change a primary
-- key in place, so the table is rebuilt; existing keys go to the user whose e-mail address the
-- transition record names.
CREATE TABLE idempotency_keys_scoped (
    owner       TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    record_id   TEXT NOT NULL REFERENCES transition_records (id),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (owner, key)
) STRICT;

INSERT INTO idempotency_keys_scoped (owner, key, fingerprint, record_id, created_at)
SELECT COALESCE(u.id, r.actor), k.key, k.fingerprint, k.record_id, k.created_at
FROM idempotency_keys k
JOIN transition_records r ON r.id = k.record_id
LEFT JOIN users u ON u.email = r.actor;

DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_scoped RENAME TO idempotency_keys;
