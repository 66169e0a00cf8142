#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A private PostgreSQL 15 cluster for the tests: on loopback only, on a free port, with a test
# role `kt` (password authentication, SCRAM) that may create databases; every PostgreSQL test
# case creates its own database and drops it when done.
#
# Usage: tests/support/pg-test-cluster.sh start DIR   start a cluster, write DIR/env
#        tests/support/pg-test-cluster.sh stop DIR    stop it and delete its files
#
# DIR/env (shell syntax, for `source`) exports KEVANTEL_TEST_PG_URL
# (postgresql://kt@127.0.0.1:PORT/kt) and PGPASSWORD; `start` prints the same lines.
# KEVANTEL_PG_DURABLE=1 keeps fsync on (the benchmarks compare it with SQLite's durable commit);
# by default the tests' cluster does not fsync.
# initdb refuses to run as root: as root the server runs as the `postgres` system user the
# Debian package creates, in a temporary directory that user owns.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
dir=$2

pgbin=${KEVANTEL_PG_BIN:-}
if [ -z "$pgbin" ]; then
    for candidate in /usr/lib/postgresql/*/bin; do
        [ -x "$candidate/initdb" ] && pgbin=$candidate
    done
fi
[ -n "$pgbin" ] && [ -x "$pgbin/initdb" ] || {
    echo "pg-test-cluster: PostgreSQL server binaries not found (install the postgresql package)" >&2
    exit 1
}

# Runs a command as the cluster's owner.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

stop_cluster() {
    [ -f "$dir/datadir" ] || return 0
    local data
    data=$(cat "$dir/datadir")
    if [ -d "$data/pgdata" ]; then
        as_owner "$pgbin/pg_ctl" -D "$data/pgdata" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$data"
    rm -f "$dir/datadir" "$dir/env"
}

case "$action" in
stop)
    stop_cluster
    exit 0
    ;;
start) ;;
*) usage ;;
esac

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
stop_cluster # a cluster left over from an interrupted run

data=$(mktemp -d "${TMPDIR:-/tmp}/kevantel-pg.XXXXXX")
echo "$data" >"$dir/datadir"
if [ "$(id -u)" -eq 0 ]; then
    getent passwd postgres >/dev/null || {
        echo "pg-test-cluster: running as root needs the postgres system user" >&2
        exit 1
    }
    chown postgres: "$data"
fi
chmod 700 "$data"

# The test role's password: 24 random bytes in hex (coreutils only).
password=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')

# The superuser `postgres` logs in through the private socket directory only (peer trust inside
# a 0700 directory); everything on TCP needs a SCRAM password.
as_owner "$pgbin/initdb" -D "$data/pgdata" -U postgres --auth-local=trust \
    --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync >"$data/initdb.log" 2>&1 || {
    cat "$data/initdb.log" >&2
    exit 1
}

# A free port: ask the kernel for one, then start; if someone took it in between, try again.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
        echo $((20000 + RANDOM % 30000))
}
# Test data only: no fsync, so a test's CREATE DATABASE costs milliseconds, not seconds.
durability="-c fsync=off -c full_page_writes=off"
[ "${KEVANTEL_PG_DURABLE:-0}" = 1 ] && durability=""
started=0
for _ in 1 2 3 4 5; do
    port=$(free_port)
    if as_owner "$pgbin/pg_ctl" -D "$data/pgdata" -l "$data/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $data $durability -c max_connections=200" \
        start >/dev/null; then
        started=1
        break
    fi
done
[ "$started" -eq 1 ] || {
    echo "pg-test-cluster: the server did not start:" >&2
    tail -n 20 "$data/server.log" >&2 || true
    exit 1
}

psql_admin() { as_owner "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$data" -p "$port" -U postgres "$@"; }
psql_admin -d postgres -c "CREATE ROLE kt LOGIN CREATEDB PASSWORD '$password'" >/dev/null
psql_admin -d postgres -c "CREATE DATABASE kt OWNER kt" >/dev/null

url="postgresql://kt@127.0.0.1:$port/kt"
umask 077
cat >"$dir/env" <<EOF
export KEVANTEL_TEST_PG_URL=$url
export PGPASSWORD=$password
EOF
cat "$dir/env"
