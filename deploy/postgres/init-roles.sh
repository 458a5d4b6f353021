#!/bin/sh
# For the postgres image's /docker-entrypoint-initdb.d (compose.yaml): creates rollout's two
# roles with the passwords from the environment when the data directory is first initialised.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v owner=rollout_owner -v app=rollout_app \
    -v owner_password="$ROLLOUT_OWNER_PASSWORD" -v app_password="$ROLLOUT_APP_PASSWORD" \
    -f /rollout/roles.sql
