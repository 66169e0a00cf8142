#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds kevan-tel and the benchmarks (Release), runs them and prints one markdown report:
#   tests/bench/run-benchmarks.sh [--quick] [--events N] [--build-dir DIR] [--db PATH] [--no-peer]
#                                 [--postgresql]
# --quick: 3-second load runs and a 100,000-event history instead of 10 s and 1,000,000.
# The peer (tests/bench/peer, the receiver a Telnyx user writes with the Node SDK) is installed
# with npm into build-dir/bench/peer and run on the same requests, unless --no-peer or no node.
# --postgresql: each webhook pipeline run again with the store on PostgreSQL, on a private
# cluster (tests/support/pg-test-cluster.sh, fsync on) in build-dir/bench/pg, stopped at the end.
# The history database is kept (build-dir/bench/history-N.db) and reused by later runs.
# Extra options for the load generator go in LOADGEN_ARGS, e.g. LOADGEN_ARGS="--synchronous NORMAL".
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
build="$root/build-bench"
quick=0
events=""
db=""
peer=1
postgresql=0
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) quick=1 ;;
    --events) events="$2"; shift ;;
    --build-dir) build="$2"; shift ;;
    --db) db="$2"; shift ;;
    --no-peer) peer=0 ;;
    --postgresql) postgresql=1 ;;
    -h | --help) sed -n '3,13p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
    shift
done
if [ -z "$events" ]; then
    if [ "$quick" = 1 ]; then events=100000; else events=1000000; fi
fi
[ -n "$db" ] || db="$build/bench/history-$events.db"

echo "building (Release) in $build ..." >&2
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKEVANTEL_BUILD_BENCHMARKS=ON >/dev/null
cmake --build "$build" --target kevan-tel kevantel-loadgen kevantel-historygen \
    kevantel-callerwait -j2 >&2

loadgen_args=""
[ "$quick" = 1 ] && loadgen_args="--quick"
if [ "$peer" = 1 ] && command -v node >/dev/null && command -v npm >/dev/null; then
    peer_dir="$build/bench/peer"
    mkdir -p "$peer_dir"
    cp "$root/tests/bench/peer/server.js" "$root/tests/bench/peer/package.json" "$peer_dir/"
    if [ ! -d "$peer_dir/node_modules" ]; then
        echo "installing the peer's packages (npm; better-sqlite3 may compile for minutes) ..." >&2
        (cd "$peer_dir" && npm install --no-audit --no-fund >&2)
    fi
    loadgen_args="$loadgen_args --peer $peer_dir"
elif [ "$peer" = 1 ]; then
    echo "no node/npm: the peer is not run (apt-get install nodejs npm)" >&2
fi
loadgen_out=$(mktemp)
history_out=$(mktemp)
callerwait_out=$(mktemp)
pg_dir="$build/bench/pg"
cleanup() {
    rm -f "$loadgen_out" "$history_out" "$callerwait_out"
    [ "$postgresql" = 1 ] && "$root/tests/support/pg-test-cluster.sh" stop "$pg_dir" || true
}
trap cleanup EXIT
if [ "$postgresql" = 1 ]; then
    echo "starting a private PostgreSQL cluster (fsync on) in $pg_dir ..." >&2
    KEVANTEL_PG_DURABLE=1 "$root/tests/support/pg-test-cluster.sh" start "$pg_dir" >/dev/null
    # shellcheck disable=SC1091 # written by the line above
    . "$pg_dir/env"
    loadgen_args="$loadgen_args --postgresql"
fi

# shellcheck disable=SC2086 # word splitting of the option lists is wanted
"$build/tests/bench/kevantel-loadgen" $loadgen_args ${LOADGEN_ARGS:-} >"$loadgen_out"
"$build/tests/bench/kevantel-callerwait" >"$callerwait_out"
"$build/tests/bench/kevantel-historygen" --db "$db" --events "$events" \
    --kevan-tel "$build/app/kevan-tel" >"$history_out"

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo
echo "## kevan-tel benchmarks, $(date -u +%Y-%m-%d)"
echo
echo "$(nproc) CPU ($cpu), $(uname -sr), git $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?')."
echo
echo "### Webhooks and decisions"
echo
cat "$loadgen_out"
echo
echo "### What a caller feels (the fake Telnyx far away)"
echo
cat "$callerwait_out"
echo
echo "### History ($events events)"
echo
cat "$history_out"
