#!/usr/bin/env bash
# Installs everything the tests need (Python packages, Debian's PostgreSQL and Chromium),
# starts a throw-away PostgreSQL on loopback, and runs the whole suite on SQLite and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# A CJK font, so that the browser renders the Chinese interface (screenshots, text checks).
fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk" || need+=(fonts-wqy-microhei)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null
fi

bash scripts/setup-env.sh test,bench

# A private PostgreSQL cluster on a loopback port, removed at exit.
pg_bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
pg_dir=$(mktemp -d /tmp/lianhu-pg.XXXXXX)
pg_port=${LIANHU_TEST_PG_PORT:-54329}
run_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" -eq 0 ] && chown postgres "$pg_dir"
run_pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
  -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
cleanup() { run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$pg_dir"; }
trap cleanup EXIT

export TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:${pg_port}/postgres"
export LIANHU_REQUIRE_POSTGRES=1
export LIANHU_CHROMIUM=/usr/bin/chromium

.venv/bin/ruff check .
# -m overrides the "not load" of pyproject's addopts: the CI run includes the load test.
.venv/bin/python -m pytest -m "load or not load" "$@"
