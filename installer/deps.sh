#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian 12 packages kevan-tel needs to build, test and run.
# Safe to run again: apt-get skips what is already installed.
set -euo pipefail

packages=(
    # toolchain
    cmake ninja-build g++ pkg-config
    # Qt 6.4: core, network, HTTP server, SQL (SQLite driver), Quick, widgets (tray), tests
    qt6-base-dev qt6-httpserver-dev qt6-websockets-dev qt6-declarative-dev qt6-declarative-dev-tools
    libqt6sql6-sqlite qtkeychain-qt6-dev libqt6svg6
    # the store on PostgreSQL: Qt's driver (QPSQL), and the server the tests run a private cluster of
    libqt6sql6-psql postgresql
    # QML runtime modules the dashboard imports (they do not pull each other in)
    qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts
    qml6-module-qtquick-window qml6-module-qtquick-templates qml6-module-qtqml-workerscript
    qml6-module-qtqml qml6-module-qtqml-models qml6-module-qttest qml6-module-qtquick-dialogs
    qml6-module-qt-labs-folderlistmodel
    # voicemail playback: Qt Multimedia, and the GStreamer elements its backend uses to play WAV
    # (wavparse and the PulseAudio sink in -good; playbin, audioconvert and the ALSA sink in -base)
    qt6-multimedia-dev gstreamer1.0-plugins-good gstreamer1.0-plugins-base
    # crypto and phone numbers
    libssl-dev libphonenumber-dev
    # offscreen rendering for UI tests
    libgl-dev
    # the registration page's browser test (tst_registrationpage): headless Chromium
    chromium
    # packaging (installer/package-test.sh): cpack DEB with dpkg-shlibdeps, metadata validators
    dpkg-dev file desktop-file-utils appstream
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "deps: all ${#packages[@]} packages already installed"
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "deps: run as root or install sudo" >&2; exit 1; }
    sudo="sudo"
fi
echo "deps: installing ${#missing[@]} packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
