#!/bin/sh
# Temporal's schema on PostgreSQL, run once per `docker compose up` by the one-shot service
# `temporal-schema` (image temporalio/admin-tools, same version as temporalio/server).
#
# For each of the two databases: create it if missing, put the version tables in place,
# then apply every versioned script newer than the database's recorded version. Each step
# is idempotent (create skips an existing database, setup-schema -v 0.0 leaves a newer
# version alone), so a second run changes nothing and a newer admin-tools image upgrades
# the schema. Upgrading Temporal: bump the server and admin-tools tags together.
#
# Connection settings come from the environment (docker-compose.yml): temporal-sql-tool
# reads SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER and SQL_PASSWORD itself, so the password
# never appears on a command line.
set -eu

# ---- Where admin-tools keeps the schema files: correct these two if an image moves them ----
TEMPORAL_SCHEMA_DIR="${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12/temporal/versioned}"
VISIBILITY_SCHEMA_DIR="${VISIBILITY_SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12/visibility/versioned}"
# ---------------------------------------------------------------------------------------------

: "${SQL_PLUGIN:?set SQL_PLUGIN (postgres12)}"
: "${SQL_HOST:?set SQL_HOST}"
: "${SQL_USER:?set SQL_USER}"
: "${SQL_PASSWORD:?set SQL_PASSWORD}"
DBNAME="${DBNAME:-temporal}"
VISIBILITY_DBNAME="${VISIBILITY_DBNAME:-temporal_visibility}"

setup() {
    db="$1"
    dir="$2"
    if [ ! -d "$dir" ]; then
        echo "temporal-schema: no schema directory $dir in this image (see the top of $0)" >&2
        exit 1
    fi
    echo "temporal-schema: $db from $dir"
    temporal-sql-tool --db "$db" create-database
    temporal-sql-tool --db "$db" setup-schema -v 0.0
    temporal-sql-tool --db "$db" update-schema -d "$dir"
}

setup "$DBNAME" "$TEMPORAL_SCHEMA_DIR"
setup "$VISIBILITY_DBNAME" "$VISIBILITY_SCHEMA_DIR"
echo "temporal-schema: done"
