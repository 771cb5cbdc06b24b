#!/usr/bin/env bash
# Runs every test of the workspace (unit, property, PostgreSQL and end-to-end).
#
# Idempotent set-up first: makes sure a PostgreSQL server answers on 127.0.0.1:5432
# (installing and starting Debian's package when it is missing) and that the tests
# can log in as `postgres`. Extra arguments go to `cargo nextest run`.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_HOST=127.0.0.1
PG_PORT=5432
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

pg_answers() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; }

ensure_postgres() {
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "test.sh: installing PostgreSQL (apt-get)…" >&2
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
  fi
  if ! pg_answers; then
    local version
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    echo "test.sh: starting PostgreSQL $version…" >&2
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 30); do pg_answers && break; sleep 1; done
  fi
  pg_answers || { echo "test.sh: PostgreSQL does not answer on $PG_HOST:$PG_PORT" >&2; exit 1; }
}

choose_postgres_url() {
  if [ -n "${EMPORIUM_TEST_POSTGRES_URL:-}" ]; then return; fi
  local trust="postgres://postgres@$PG_HOST:$PG_PORT/postgres"
  if psql "$trust" -qAtc 'select 1' >/dev/null 2>&1; then
    export EMPORIUM_TEST_POSTGRES_URL="$trust"
    return
  fi
  # A fresh Debian cluster wants a password over TCP: give `postgres` a known one.
  echo "test.sh: setting a password for the postgres role (TCP login for tests)…" >&2
  as_root su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
  export EMPORIUM_TEST_POSTGRES_URL="postgres://postgres:postgres@$PG_HOST:$PG_PORT/postgres"
}

ensure_postgres
choose_postgres_url

if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast "$@"
  # nextest does not run doctests.
  cargo test --workspace --doc --quiet
else
  echo "test.sh: cargo-nextest not found; using cargo test" >&2
  cargo test --workspace --no-fail-fast "$@"
fi
