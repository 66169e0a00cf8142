#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's test command: install dependencies, build everything, run every test headless.
# Usage: installer/build-and-test.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}

installer/deps.sh
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j"$(nproc)"
export QT_QPA_PLATFORM=offscreen QT_QUICK_BACKEND=software
# The store suites run on SQLite and on PostgreSQL: a private cluster for this run
# (KEVANTEL_TEST_PG_URL, PGPASSWORD), stopped when the tests end, pass or fail.
tests/support/pg-test-cluster.sh start "$build/pg-cluster" >/dev/null
trap 'tests/support/pg-test-cluster.sh stop "$build/pg-cluster"' EXIT
source "$build/pg-cluster/env"
ctest --test-dir "$build" --output-on-failure -j2
