#!/usr/bin/env bash
# Runs every Tether test: formatting and lints, Rust unit and integration
# tests on SQLite and on a throwaway PostgreSQL cluster, and the browser tests
# in Debian's Chromium. Starts and stops everything it needs on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

./scripts/install-test-deps.sh

work=$(mktemp -d /tmp/tether-test.XXXXXX)
chmod 755 "$work"
pg_dir="$work/pg"
pg_data="$pg_dir/data"
pg_port=${TETHER_TEST_PG_PORT:-55432}
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

as_pg() {
  # PostgreSQL refuses to run as root: use its own account when we are root.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
  if [ -f "$pg_data/postmaster.pid" ]; then
    echo "== stopping PostgreSQL"
    as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== PostgreSQL: starting a throwaway cluster on 127.0.0.1:$pg_port"
mkdir -p "$pg_dir"
if [ "$(id -u)" = 0 ]; then chown postgres "$pg_dir"; fi
as_pg "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=trust -E UTF8 >"$work/initdb.log"
as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_dir/pg.log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$pg_port -c unix_socket_directories=$pg_data -c fsync=off -c max_connections=400" start >/dev/null
export TETHER_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/postgres"

echo "== cargo fmt / clippy"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings

echo "== cargo test (SQLite and PostgreSQL)"
cargo test --workspace

echo "== browser tests (Playwright, Debian Chromium)"
cargo build -p tether -p tether-support
cargo build -p agent --example testpad
target_dir=${CARGO_TARGET_DIR:-$root/target}
TETHER_BIN="$target_dir/debug/tether" node --test --test-concurrency=1 tests/browser/
