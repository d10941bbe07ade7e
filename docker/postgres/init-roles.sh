#!/bin/sh
# Creates Stepguard's owner and application roles on the first start of an empty data volume: the postgres
# image runs docker-entrypoint-initdb.d/* once, as the superuser. An existing volume is left alone (see
# README, "Running as a non-owner role", for moving an existing install).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v db="$POSTGRES_DB" \
  -v owner_role=stepguard_owner -v owner_password="$STEPGUARD_DB_OWNER_PASSWORD" \
  -v app_role=stepguard_app -v app_password="$STEPGUARD_DB_APP_PASSWORD" \
  -f /stepguard/roles.sql
