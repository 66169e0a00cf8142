#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The package check CI runs after the tests (.ci/run, README "Packages"): build the Debian package
# in a configured build directory, check its metadata and dependencies, install it with apt, run
# the installed kevan-tel (--version, a headless demo, the desktop app offscreen), then remove it.
# Usage: installer/package-test.sh [BUILD_DIR]   (default: build, as installer/build-and-test.sh)
# KEVANTEL_KEEP_PACKAGE=1 leaves the package installed.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
keep=${KEVANTEL_KEEP_PACKAGE:-0}

step() { printf '\n== package-test: %s\n' "$*"; }
fail() {
    printf 'package-test: FAIL: %s\n' "$*" >&2
    exit 1
}

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || fail "run as root or install sudo (apt-get installs the package)"
    sudo="sudo"
fi
[ -f "$build/CPackConfig.cmake" ] || fail "$build is not a configured build directory (run installer/build-and-test.sh $build)"
for tool in cpack dpkg-deb dpkg-shlibdeps desktop-file-validate appstreamcli; do
    command -v "$tool" >/dev/null || fail "$tool is missing (installer/deps.sh installs it)"
done

work=$(mktemp -d)
server=""
installed=0
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    if [ "$installed" = 1 ] && [ "$keep" != 1 ]; then
        step "removing the package"
        DEBIAN_FRONTEND=noninteractive $sudo apt-get remove -y -qq kevan-tel >/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

step "desktop entry and AppStream metadata (sources)"
desktop-file-validate installer/linux/io.kevan.tel.desktop
appstreamcli validate --no-net --pedantic installer/linux/io.kevan.tel.metainfo.xml

step "building the package in $build"
cmake --build "$build" --target kevan-tel
rm -f "$build"/kevan-tel_*.deb
(cd "$build" && cpack -G DEB)
debs=("$build"/kevan-tel_*.deb)
if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
    fail "expected one kevan-tel_*.deb in $build"
fi
deb=$(realpath "${debs[0]}")
dpkg-deb --info "$deb"
dpkg-deb --contents "$deb"

step "package contents"
for path in ./usr/bin/kevan-tel ./usr/share/applications/io.kevan.tel.desktop \
    ./usr/share/metainfo/io.kevan.tel.metainfo.xml \
    ./usr/share/icons/hicolor/scalable/apps/io.kevan.tel.svg \
    ./usr/lib/systemd/user/kevan-tel.service ./usr/share/doc/kevan-tel/copyright; do
    dpkg-deb --contents "$deb" | awk '{print $6}' | grep -qx "$path" || fail "$path is not in the package"
done
dpkg-deb -x "$deb" "$work/root"
desktop-file-validate "$work/root/usr/share/applications/io.kevan.tel.desktop"
appstreamcli validate-tree --no-net "$work/root"

step "package dependencies"
depends=$(dpkg-deb --field "$deb" Depends)
echo "Depends: $depends"
has_dep() { tr ',' '\n' <<<"$depends" | sed 's/^ *//; s/ .*//' | grep -qx "$1"; }
# From dpkg-shlibdeps (the linked libraries) ...
for p in libqt6core6 libqt6quick6 libqt6sql6 libqt6httpserver6 libqt6multimedia6 libssl3 'libphonenumber[0-9].*'; do
    has_dep "$p" || fail "Depends lacks $p (dpkg-shlibdeps did not run?)"
done
# ... and what Qt loads at run time: plugins, and every QML module the dashboard imports or
# those modules import in turn (read from their qmldir files), plus the Basic style it selects.
for p in libqt6sql6-sqlite libqt6svg6 qt6-qpa-plugins gstreamer1.0-plugins-good gstreamer1.0-plugins-base; do
    has_dep "$p" || fail "Depends lacks $p"
done
qmlroot=$(qtpaths6 --query QT_INSTALL_QML 2>/dev/null || echo "/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/qt6/qml")
declare -A seen=()
check_module() {
    local module=$1
    [ -n "${seen[$module]:-}" ] && return 0
    seen[$module]=1
    local qmldir="$qmlroot/${module//.//}/qmldir"
    [ -f "$qmldir" ] || fail "QML module $module is not installed here ($qmldir)"
    local owner
    owner=$(dpkg -S "$qmldir" | cut -d: -f1)
    has_dep "$owner" || fail "QML module $module comes from $owner, which is not in Depends"
    echo "  $module: $owner"
    local next
    # `import M` and `depends M` lines; `optional import` (other styles) are not needed.
    while read -r next; do
        check_module "$next"
    done < <(awk '($1 == "import" || $1 == "depends") {print $2}' "$qmldir")
}
qml_imports() { sed -n 's/^import \([A-Za-z][A-Za-z0-9.]*\).*/\1/p' "$@" 2>/dev/null | sort -u; }
# The project's own modules (KevanTel, KevanTel.Ui) are compiled into the program, not installed.
imports=$(qml_imports qml/*.qml | grep -v '^KevanTel\(\.\|$\)')
for module in $imports QtQuick.Controls.Basic; do
    check_module "$module"
done
# QtQuick.Dialogs loads its Qt Quick implementation at run time where there is no native dialog
# (offscreen, or a desktop without a Qt platform theme); what that implementation's QML files
# import is needed too (FileDialog: Qt.labs.folderlistmodel).
if grep -qx QtQuick.Dialogs <<<"$imports"; then
    impl="$qmlroot/QtQuick/Dialogs/quickimpl"
    for module in QtQuick.Dialogs.quickimpl $(qml_imports "$impl"/qml/*.qml); do
        check_module "$module"
    done
fi

step "installing the package with apt"
installed=1
# --reinstall: test this build even when the same version is installed already.
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends --reinstall "$deb"
dpkg-query -W kevan-tel
[ "$(command -v kevan-tel)" = /usr/bin/kevan-tel ] || fail "kevan-tel is not /usr/bin/kevan-tel"

if command -v systemd-analyze >/dev/null; then
    step "systemd user unit"
    systemd-analyze verify /usr/lib/systemd/user/kevan-tel.service
fi

step "kevan-tel --version"
version=$(kevan-tel --version)
echo "$version"
grep -q '^kevan-tel [0-9]' <<<"$version" || fail "unexpected --version output: $version"

# A clean environment: no account, no config, nothing from the user running the check.
# `env` execs kevan-tel, so `$!` below is kevan-tel's own process id (signals reach it).
run=(env -u TELNYX_API_KEY -u TELNYX_PUBLIC_KEY -u TELNYX_API_URL -u DISPLAY -u WAYLAND_DISPLAY
    HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config"
    XDG_DATA_HOME="$work/home/.local/share" XDG_RUNTIME_DIR="$work/runtime")
mkdir -p "$work/home" "$work/runtime"
chmod 700 "$work/runtime"

step "kevan-tel --headless --demo"
db="$work/demo.db"
"${run[@]}" kevan-tel --headless --demo --port 0 --admin-port 0 --db "$db" >"$work/headless.out" 2>"$work/headless.err" &
server=$!
calls=0
# At least 8 s (the demo rings every 5 s), at most 40 s.
for i in $(seq 1 40); do
    sleep 1
    kill -0 "$server" 2>/dev/null || break
    if [ "$i" -ge 8 ] && grep -q "listening on" "$work/headless.out"; then
        calls=$("${run[@]}" kevan-tel calls --db "$db" --json | grep -c '"call_id"' || true)
        [ "$calls" -ge 1 ] && break
    fi
done
kill -0 "$server" 2>/dev/null || {
    cat "$work/headless.out" "$work/headless.err"
    fail "kevan-tel --headless --demo exited early"
}
kill -TERM "$server"
status=0
wait "$server" || status=$?
server=""
cat "$work/headless.out"
tail -n 5 "$work/headless.err"
grep -q "^listening on http://127.0.0.1:[0-9]" "$work/headless.out" || fail "no 'listening on' line"
grep -q "^admin on http://127.0.0.1:[0-9]" "$work/headless.out" || fail "no 'admin on' line"
[ "$status" -eq 0 ] || fail "kevan-tel --headless exited with $status after SIGTERM"
"${run[@]}" kevan-tel calls --db "$db"
[ "$calls" -ge 1 ] || fail "kevan-tel calls lists no call after the demo ran"
"${run[@]}" kevan-tel events verify --db "$db" || fail "the demo's event log does not verify"

step "kevan-tel --demo (desktop, offscreen): the QML dashboard loads from the installed modules"
"${run[@]}" QT_QPA_PLATFORM=offscreen QT_QUICK_BACKEND=software \
    kevan-tel --demo --port 0 --admin-port 0 --db "$work/desktop.db" >"$work/desktop.out" 2>"$work/desktop.err" &
server=$!
for _ in $(seq 1 20); do
    sleep 1
    grep -q "listening on" "$work/desktop.out" && break
done
sleep 3
kill -0 "$server" 2>/dev/null || {
    cat "$work/desktop.out" "$work/desktop.err"
    fail "kevan-tel --demo (desktop) exited early"
}
kill -TERM "$server"
wait "$server" || true
server=""
cat "$work/desktop.out"
if grep -Ei "is not installed|module .* not found|failed to load|cannot load library|qrc:.*error" "$work/desktop.err"; then
    fail "the dashboard reported QML or plugin errors"
fi
grep -q "listening on" "$work/desktop.out" || fail "the desktop app printed no 'listening on' line"

step "OK: $(basename "$deb") built, installed and ran"
