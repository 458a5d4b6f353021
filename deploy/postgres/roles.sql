-- Two roles for one rollout database, so that the server's own credentials cannot change the
-- schema, disable the audit trail's trigger or rewrite the trail:
--
--   owner  runs `rollout migrate` and owns every table, trigger and function;
--   app    runs `rollout serve` (with migrate = false); it owns nothing, may SELECT, INSERT,
--          UPDATE and DELETE the ordinary tables, only SELECT and INSERT on audit_log, and only
--          SELECT on sqlx's _sqlx_migrations (to check the schema version at start).
--
-- Run it once per database as a superuser (or the database's owner with CREATEROLE), before the
-- first `rollout migrate`; running it again is harmless. Roles are cluster-wide, so databases
-- on one server may share them.
--
--   psql -v owner=rollout_owner -v app=rollout_app \
--        -v owner_password="$OWNER_PASSWORD" -v app_password="$APP_PASSWORD" \
--        -d rollout -f deploy/postgres/roles.sql
--
-- Names default to rollout_owner and rollout_app; a password left empty is left unchanged.
-- Tables the owner creates later (new migrations) get the app's grants through default
-- privileges; the audit_log and _sqlx_migrations exceptions are applied here for tables that
-- exist already and by migration 0003 for tables created after this script ran.
-- A database migrated before the split (tables owned by the server's old role) needs
-- `REASSIGN OWNED BY old_role TO rollout_owner` first; the script refuses an app role that
-- owns anything.

\if :{?owner}
\else
\set owner rollout_owner
\endif
\if :{?app}
\else
\set app rollout_app
\endif
\if :{?owner_password}
\else
\set owner_password ''
\endif
\if :{?app_password}
\else
\set app_password ''
\endif

-- psql does not substitute variables inside the DO block's body; session settings carry them.
SELECT set_config('rollout.owner', :'owner', false),
       set_config('rollout.app', :'app', false),
       set_config('rollout.owner_password', :'owner_password', false),
       set_config('rollout.app_password', :'app_password', false);

DO $roles$
DECLARE
    owner    text := current_setting('rollout.owner');
    app      text := current_setting('rollout.app');
    owner_pw text := current_setting('rollout.owner_password');
    app_pw   text := current_setting('rollout.app_password');
    owned    bigint;
BEGIN
    IF owner = app THEN
        RAISE EXCEPTION 'the owner and the application role must differ (both are %)', owner;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = owner) THEN
        EXECUTE format('CREATE ROLE %I LOGIN', owner);
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = app) THEN
        EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS',
                       app);
    END IF;
    IF owner_pw <> '' THEN
        EXECUTE format('ALTER ROLE %I PASSWORD %L', owner, owner_pw);
    END IF;
    IF app_pw <> '' THEN
        EXECUTE format('ALTER ROLE %I PASSWORD %L', app, app_pw);
    END IF;

    -- Whatever the app could become, it could use: no superuser, no membership in the owner.
    IF (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = app) THEN
        RAISE EXCEPTION 'role % is a superuser or bypasses row security: use another role', app;
    END IF;
    IF pg_has_role(app, owner, 'MEMBER') THEN
        RAISE EXCEPTION 'role % is a member of %: revoke that membership first', app, owner;
    END IF;
    SELECT count(*) INTO owned FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
    WHERE r.rolname = app;
    IF owned > 0 THEN
        RAISE EXCEPTION 'role % owns % relations here: REASSIGN OWNED BY % TO % first',
            app, owned, quote_ident(app), quote_ident(owner);
    END IF;

    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I, %I', current_database(), owner, app);
    -- PostgreSQL before 15 lets every role create in public.
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    EXECUTE format('GRANT USAGE, CREATE ON SCHEMA public TO %I', owner);
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', app);

    -- What the owner creates from now on.
    EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public '
                   'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', owner, app);
    EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public '
                   'GRANT USAGE, SELECT ON SEQUENCES TO %I', owner, app);

    -- What exists already, with the two exceptions.
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I',
                   app);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', app);
    IF to_regclass('public.audit_log') IS NOT NULL THEN
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON public.audit_log FROM %I', app);
    END IF;
    IF to_regclass('public._sqlx_migrations') IS NOT NULL THEN
        EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON public._sqlx_migrations FROM %I',
                       app);
    END IF;
END
$roles$;
