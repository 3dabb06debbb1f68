# Starts the local PostgreSQL 15 cluster and makes Inddrag's role and database; sourced by ./test
# when DB=postgres. Safe to run again. The role is an ordinary one (no superuser, no BYPASSRLS);
# CREATEDB lets the test runner make its test database.
set -euo pipefail
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi; }
if ! command -v pg_ctlcluster >/dev/null; then
  echo "· installing PostgreSQL"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
status="$(pg_lsclusters -h | awk '$1 == "15" && $2 == "main" { print $4 }')"
if [ -z "$status" ]; then
  as_postgres "pg_createcluster 15 main" >/dev/null
fi
if [ "$status" != "online" ]; then
  if [ "$(id -u)" = 0 ]; then pg_ctlcluster 15 main start; else sudo pg_ctlcluster 15 main start; fi
fi
for _ in $(seq 30); do as_postgres "pg_isready -q -h 127.0.0.1" && break; sleep 0.5; done
export DB=postgres DB_HOST=127.0.0.1 DB_NAME="${DB_NAME:-inddrag}" DB_USER="${DB_USER:-inddrag}"
export DB_PASSWORD="${DB_PASSWORD:-inddrag-local-only}"
as_postgres "psql -q -v ON_ERROR_STOP=1 -d postgres" <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
    CREATE ROLE "$DB_USER" LOGIN PASSWORD '$DB_PASSWORD' CREATEDB NOSUPERUSER NOBYPASSRLS;
  ELSE
    ALTER ROLE "$DB_USER" LOGIN PASSWORD '$DB_PASSWORD' CREATEDB NOSUPERUSER NOBYPASSRLS;
  END IF;
END \$\$;
SELECT 'CREATE DATABASE "$DB_NAME" OWNER "$DB_USER"' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME')\gexec
SQL
