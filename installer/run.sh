#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's run command: install dependencies, build, and start kevan-tel.
# Without a Telnyx account configured (TELNYX_API_KEY or a config file), it starts the demo.
# Extra arguments go to kevan-tel, e.g. installer/run.sh --headless
set -euo pipefail
cd "$(dirname "$0")/.."

installer/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target kevan-tel
exec build/app/kevan-tel "$@"
