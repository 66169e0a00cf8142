#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer (clang), then a short
# run of each libFuzzer target seeded from the test data. CI runs this after the main suite.
# Usage: installer/sanitize-and-fuzz.sh [FUZZ_SECONDS]   (default 30 per target)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}

installer/deps.sh
# clang and its sanitizer/fuzzer runtimes are needed only here.

for p in clang libclang-rt-14-dev; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="${missing:-} $p"
done
if [ -n "${missing:-}" ]; then
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
fi

export QT_QPA_PLATFORM=offscreen QT_QUICK_BACKEND=software
# Leaks inside system libraries (fontconfig, Mesa, Qt's plugin loader) are not ours.
export LSAN_OPTIONS="suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

echo "== ASan + UBSan: build and run every test"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
    -DKEVANTEL_SANITIZE=address,undefined -DKEVANTEL_BUILD_BENCHMARKS=OFF
cmake --build build-asan -j"$(nproc)"
# Every sanitizer report goes to a file (instead of the process's stderr), and still aborts the
# process: a report from a child process (the real binary started by a test) is printed here
# even when the test only saw the child's exit status, and any report fails this step.
reports=build-asan/sanitizer-reports
rm -rf "$reports" && mkdir -p "$reports"
status=0
ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$PWD/$reports/asan" \
    UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$PWD/$reports/ubsan" \
    ctest --test-dir build-asan --output-on-failure -j2 --timeout 900 || status=$?
for report in "$reports"/*; do
    [ -e "$report" ] || continue
    echo "== sanitizer report $(basename "$report"):"
    cat "$report"
    status=1
done
[ "$status" -eq 0 ] || { echo "ASan + UBSan: failed"; exit "$status"; }

echo "== libFuzzer: ${seconds} s per target"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DKEVANTEL_BUILD_FUZZERS=ON -DKEVANTEL_BUILD_BENCHMARKS=OFF
cmake --build build-fuzz -j"$(nproc)" --target fuzz_webhook fuzz_phonenumber fuzz_certificate

corpus=build-fuzz/corpus
rm -rf "$corpus" && mkdir -p "$corpus"/{webhook,phonenumber,certificate}
# Webhook seeds: every official example, prefixed with the selector byte of the target.
for f in tests/data/telnyx/*.json; do
    { printf '\001'; cat "$f"; } > "$corpus/webhook/$(basename "$f")"
done
for n in "+1-770-230-0635" "(770) 230-0635" "17702300635" "+44 20 7946 0958" "+1888*" \
         "611-JEXT" "anonymous" "sip:+18124040851@example.com" "tel:+18886115384"; do
    printf '%s' "$n" > "$corpus/phonenumber/$(printf '%s' "$n" | md5sum | cut -c1-12)"
done
# Certificate seeds: a self-signed CA and a leaf naming alice.x, PEM and DER.
tmp=$(mktemp -d)
openssl req -x509 -newkey ed25519 -nodes -keyout "$tmp/ca.key" -out "$corpus/certificate/ca.pem" \
    -subj "/CN=fuzz root" -days 30 -addext "basicConstraints=critical,CA:TRUE" 2>/dev/null
openssl req -newkey ed25519 -nodes -keyout "$tmp/leaf.key" -out "$tmp/leaf.csr" -subj "/CN=alice.x" 2>/dev/null
openssl x509 -req -in "$tmp/leaf.csr" -CA "$corpus/certificate/ca.pem" -CAkey "$tmp/ca.key" \
    -CAcreateserial -CAserial "$tmp/ca.srl" -days 30 -out "$corpus/certificate/leaf.pem" \
    -extfile <(printf 'subjectAltName=DNS:alice.x\n') 2>/dev/null
openssl x509 -in "$corpus/certificate/leaf.pem" -outform DER -out "$corpus/certificate/leaf.der"
rm -rf "$tmp"

for target in webhook phonenumber certificate; do
    echo "-- fuzz_$target"
    build-fuzz/tests/fuzz/fuzz_$target -max_total_time="$seconds" -max_len=65536 \
        -print_final_stats=1 "$corpus/$target" 2>&1 | tail -n 12
done
echo "sanitizers and fuzzers: ok"
