#!/usr/bin/env bash
# The login users of the components, each granted the role the migrations made for it (V10__roles.sql).
# Runs after the migrations, as the database's owner; run again, it changes the passwords and keeps the rest.
set -euo pipefail
psql --no-psqlrc --set ON_ERROR_STOP=1 \
  --set writer_password="$WRITER_DB_PASSWORD" \
  --set relay_password="$RELAY_DB_PASSWORD" \
  --set projector_password="$PROJECTOR_DB_PASSWORD" \
  --set reader_password="$READER_DB_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', name) FROM (VALUES ('writer'), ('relay'), ('projector'), ('reader')) AS users (name)
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name)
\gexec
ALTER ROLE writer LOGIN PASSWORD :'writer_password';
-- streaming from a slot needs the attribute on the login user itself: attributes are not inherited
ALTER ROLE relay LOGIN REPLICATION PASSWORD :'relay_password';
ALTER ROLE projector LOGIN PASSWORD :'projector_password';
ALTER ROLE reader LOGIN PASSWORD :'reader_password';
GRANT pipeline_writer TO writer;
GRANT pipeline_relay TO relay;
GRANT pipeline_projector TO projector;
GRANT pipeline_reader TO reader;
SQL
echo "login users writer, relay, projector and reader are ready"
