#!/usr/bin/env bash
# Install and start a throwaway PostgreSQL on loopback for the library's PostgreSQL tests, then print
# the SQLAlchemy URL to use (NIANBAO_TEST_PG_URL). Prints nothing and exits 1 when it cannot.
set -u
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  SUDO=$( [ "$(id -u)" = 0 ] || echo sudo )
  $SUDO apt-get update -qq >/dev/null 2>&1
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null 2>&1 || exit 1
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
[ -n "$version" ] || exit 1
pg_lsclusters -h 2>/dev/null | grep -q "^$version main" || pg_createcluster "$version" main >/dev/null 2>&1
pg_ctlcluster "$version" main start >/dev/null 2>&1 || pg_lsclusters -h | grep -q "online" || exit 1
su postgres -c "psql -qtc \"SELECT 1 FROM pg_roles WHERE rolname='nianbao'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE ROLE nianbao LOGIN SUPERUSER PASSWORD 'nianbao'\"" >/dev/null || exit 1
su postgres -c "psql -qtc \"SELECT 1 FROM pg_database WHERE datname='nianbao_test'\"" | grep -q 1 \
  || su postgres -c "createdb -O nianbao nianbao_test" || exit 1
echo "postgresql+psycopg://nianbao:nianbao@127.0.0.1:5432/nianbao_test"
