-- Hardening: idempotency keys belong to their actor. The audit trail needs nothing here: the
-- statement-level trigger of 0002 already refuses UPDATE (including `INSERT ... ON CONFLICT DO
-- UPDATE` and MERGE), DELETE and TRUNCATE, and PostgreSQL has no REPLACE. What keeps the
-- server's own credentials from disabling that trigger is the role split in
-- deploy/postgres/roles.sql, not this migration.

-- The same key sent by two users names two requests. `owner` is the acting user's id (or a
-- system actor's label); existing keys go to the user whose e-mail address the transition
-- record names.
ALTER TABLE idempotency_keys ADD COLUMN owner text;

UPDATE idempotency_keys k
SET owner = COALESCE(u.id::text, r.actor)
FROM transition_records r
LEFT JOIN users u ON u.email = r.actor
WHERE r.id = k.record_id;

ALTER TABLE idempotency_keys
    ALTER COLUMN owner SET NOT NULL,
    DROP CONSTRAINT idempotency_keys_pkey,
    ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (owner, key);

-- Where the server runs as its own role (deploy/postgres/roles.sql), default privileges give
-- that role UPDATE and DELETE on every table the owner creates, audit_log included (made by
-- 0002) and sqlx's own bookkeeping. Take back what no role but the owner may do there: the
-- audit trail is only ever inserted into, and only migrations record migrations. A database
-- without a role split has no such grants, and this changes nothing.
DO $revoke$
DECLARE
    grant_row record;
BEGIN
    FOR grant_row IN
        SELECT c.oid::regclass AS target,
               CASE WHEN a.grantee = 0 THEN 'PUBLIC'
                    ELSE quote_ident(pg_get_userbyid(a.grantee)) END AS holder,
               CASE WHEN c.relname = 'audit_log' THEN 'UPDATE, DELETE, TRUNCATE'
                    ELSE 'INSERT, UPDATE, DELETE, TRUNCATE' END AS taken
        FROM pg_class c
        CROSS JOIN LATERAL aclexplode(c.relacl) a
        WHERE c.oid IN ('audit_log'::regclass, to_regclass('_sqlx_migrations'))
          AND a.grantee <> c.relowner
        GROUP BY 1, 2, 3
    LOOP
        EXECUTE format('REVOKE %s ON %s FROM %s', grant_row.taken, grant_row.target,
                       grant_row.holder);
    END LOOP;
END
$revoke$;
