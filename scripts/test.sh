#!/usr/bin/env bash
# Runs every test of the workspace (unit, property, PostgreSQL, MongoDB and end-to-end).
#
# Idempotent set-up first: makes sure a PostgreSQL server answers on 127.0.0.1:5432
# (installing and starting Debian's package when it is missing) and that the tests
# can log in as `postgres`; installs SecantusDB (a MongoDB-compatible server, from
# PyPI) for the MongoDB read store's suite, which then may not skip. Extra arguments
# go to `cargo nextest run`.
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

# SecantusDB goes into a venv beside the build cache (never into the clone); the
# tests start it themselves, one per test process, on a free port. Skipped when
# EMPORIUM_TEST_MONGODB_URI names a server to use instead.
SECANTUSDB_VERSION=0.7.0b3

mongo_venv() {
  local target="${CARGO_TARGET_DIR:-$HOME/.cache/emporium-target}"
  case "$target" in
    /*) echo "$(dirname "$target")/emporium-venv" ;;
    *) echo "$HOME/.cache/emporium-venv" ;;
  esac
}

ensure_secantusdb() {
  # CI must run the MongoDB suite: a missing server fails it instead of skipping.
  export EMPORIUM_REQUIRE_MONGODB=1
  if [ -n "${EMPORIUM_TEST_MONGODB_URI:-}" ]; then return; fi
  local venv
  venv=$(mongo_venv)
  if [ ! -x "$venv/bin/secantusd-py" ] ||
     [ "$("$venv/bin/pip" show SecantusDB 2>/dev/null | sed -n 's/^Version: //p')" != "$SECANTUSDB_VERSION" ]; then
    echo "test.sh: installing SecantusDB $SECANTUSDB_VERSION into $venv (pip)…" >&2
    if ! python3 -m venv "$venv" 2>/dev/null; then
      as_root apt-get update -qq
      DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq python3-venv >/dev/null
      python3 -m venv "$venv"
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check "SecantusDB==$SECANTUSDB_VERSION"
  fi
  export EMPORIUM_SECANTUSD="$venv/bin/secantusd-py"
}

# Servers the tests start themselves, on free loopback ports, never the machine's
# shared ones: only the binaries are needed. `ensure_server_binary NAME OVERRIDE_VAR
# DEBIAN_PATH` installs Debian's package NAME unless OVERRIDE_VAR is set, NAME is on
# the PATH, or DEBIAN_PATH exists.
ensure_server_binary() {
  local name=$1 override=$2 debian_path=$3
  if [ -n "${!override:-}" ] || command -v "$name" >/dev/null 2>&1 || [ -x "$debian_path" ]; then
    return
  fi
  echo "test.sh: installing $name (apt-get)…" >&2
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$name" >/dev/null
}

# Schemathesis fuzzes the API from its OpenAPI document (tests/tests/openapi_fuzz.rs);
# it gets a venv of its own beside SecantusDB's (never in the clone).
SCHEMATHESIS_VERSION=4.32.5

ensure_schemathesis() {
  if [ -n "${EMPORIUM_SCHEMATHESIS:-}" ]; then return; fi
  local venv
  venv="$(dirname "$(mongo_venv)")/emporium-schemathesis-venv"
  if [ ! -x "$venv/bin/pip" ]; then
    python3 -m venv "$venv"
  fi
  if [ "$("$venv/bin/pip" show schemathesis 2>/dev/null | sed -n 's/^Version: //p')" != "$SCHEMATHESIS_VERSION" ]; then
    echo "test.sh: installing Schemathesis $SCHEMATHESIS_VERSION into $venv (pip)…" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  fi
  export EMPORIUM_SCHEMATHESIS="$venv/bin/schemathesis"
}

# cargo-deny checks the dependency tree's licenses, bans and sources (deny.toml).
ensure_cargo_deny() {
  if cargo deny --version >/dev/null 2>&1; then return; fi
  echo "test.sh: installing cargo-deny (cargo install, a few minutes once)…" >&2
  CARGO_TARGET_DIR="$(dirname "${CARGO_TARGET_DIR:-$HOME/.cache/emporium-target}")/cargo-deny-build" \
    cargo install cargo-deny --locked --quiet
}

ensure_postgres
choose_postgres_url
ensure_secantusdb
ensure_schemathesis
# The bus tests (single nodes and a 3-node cluster) and the shared rate-limit store's tests.
ensure_server_binary nats-server NATS_SERVER_BIN /usr/sbin/nats-server
ensure_server_binary redis-server REDIS_SERVER_BIN /usr/bin/redis-server

ensure_cargo_deny
cargo deny --log-level error check licenses bans sources

if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast "$@"
  # nextest does not run doctests.
  cargo test --workspace --doc --quiet
else
  echo "test.sh: cargo-nextest not found; using cargo test" >&2
  cargo test --workspace --no-fail-fast "$@"
fi
