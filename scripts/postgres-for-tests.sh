#!/usr/bin/env bash
# Start the machine's PostgreSQL 15 and print a URL for a role that may create test databases.
# Used by .ci/run; safe to run again (every step checks before it acts).
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2
fi
cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')
if [ -z "$cluster" ]; then
  pg_createcluster 15 main >&2
  cluster="15 main"
fi
set -- $cluster
pg_ctlcluster "$1" "$2" start >&2 2>/dev/null || true
port=$(pg_lsclusters --no-header | awk -v v="$1" -v c="$2" '$1==v && $2==c {print $3}')
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 1
done
# A throwaway role for tests on loopback only; its password is not a secret of any deployment.
su postgres -c "psql -q -p $port -tAc \"SELECT 1 FROM pg_roles WHERE rolname='feedsvc_test'\"" | grep -q 1 \
  || su postgres -c "psql -q -p $port -c \"CREATE ROLE feedsvc_test LOGIN CREATEDB PASSWORD 'feedsvc_test'\"" >&2
# Dropping a test database WITH (FORCE) must end an autovacuum worker that is in it; that needs
# pg_signal_backend (else the teardown fails now and then with InsufficientPrivilege).
su postgres -c "psql -q -p $port -c \"GRANT pg_signal_backend TO feedsvc_test\"" >/dev/null 2>&1 || true
echo "postgresql://feedsvc_test:feedsvc_test@127.0.0.1:$port/postgres"
