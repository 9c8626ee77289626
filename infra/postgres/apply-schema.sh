#!/usr/bin/env bash
# Applies infra/postgres/migrations/*.sql, in name order, to one database. Safe to run any number of times
# and from several processes at once:
#  - a session-level advisory lock serializes appliers (the C# applier in OrleansRaft.Hosting takes the same lock);
#  - each migration runs in its own transaction together with its row in raft_schema_migrations, so it is
#    applied entirely or not at all;
#  - a migration already applied is skipped when its SHA-256 matches, and is an error when it does not
#    (applied migrations are never edited: add a new one instead).
#
#   apply-schema.sh [CONNINFO]   CONNINFO is a libpq URI or keyword string; without it the PG* variables apply.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
conninfo="${1:-}"
# Shared with PostgresSchema.AdvisoryLockKey in C#: the bytes of "ORLNRAFT" read as a big-endian int64.
readonly lock_key=5715714776357750356

script="$(mktemp)"
trap 'rm -f "$script"' EXIT

{
    echo '\set ON_ERROR_STOP on'
    echo 'SET client_min_messages = warning;'
    echo "SELECT pg_advisory_lock($lock_key);"
    echo 'CREATE TABLE IF NOT EXISTS raft_schema_migrations (name varchar(200) PRIMARY KEY, sha256 char(64) NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());'
    for file in "$here"/migrations/*.sql; do
        name="$(basename "$file" .sql)"
        sum="$(sha256sum "$file" | cut -d ' ' -f 1)"
        cat <<SQL
SELECT count(*) > 0 AS applied, coalesce(bool_and(sha256 = '$sum'), true) AS same FROM raft_schema_migrations WHERE name = '$name' \gset
\if :applied
\if :same
\else
DO \$check\$ BEGIN RAISE EXCEPTION 'migration $name was changed after it was applied'; END \$check\$;
\endif
\else
BEGIN;
\i '$file'
INSERT INTO raft_schema_migrations (name, sha256) VALUES ('$name', '$sum');
COMMIT;
\warn 'applied $name'
\endif
SQL
    done
    echo "SELECT pg_advisory_unlock($lock_key);"
} >"$script"

if [[ -n "$conninfo" ]]; then
    psql "$conninfo" -q -X -f "$script" >/dev/null
else
    psql -q -X -f "$script" >/dev/null
fi
