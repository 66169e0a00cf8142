# SPDX-License-Identifier: GPL-3.0-or-later
# Installation layout and packages (included from the top-level CMakeLists.txt, after app/):
#   Linux:   cpack -G DEB  -> kevan-tel_<version>-1_<arch>.deb  (built, installed and smoke-tested
#            by installer/package-test.sh in CI)
#   Windows: cpack -G NSIS -> an installer with windeployqt's Qt runtime (installer/windows/,
#            not built or tested in CI)
set(KEVANTEL_APP_ID io.kevan.tel)
set(_kevantel_installer_dir "${CMAKE_CURRENT_LIST_DIR}")

# --- Desktop integration (Linux and other XDG systems) --------------------------------------
if(UNIX AND NOT APPLE)
    install(FILES "${_kevantel_installer_dir}/linux/${KEVANTEL_APP_ID}.desktop"
            DESTINATION share/applications)
    install(FILES "${_kevantel_installer_dir}/linux/${KEVANTEL_APP_ID}.metainfo.xml"
            DESTINATION share/metainfo)
    install(FILES "${PROJECT_SOURCE_DIR}/qml/icons/kevan-tel.svg"
            DESTINATION share/icons/hicolor/scalable/apps
            RENAME ${KEVANTEL_APP_ID}.svg)
    # A user unit for `--headless` on a server (README "Running on a server"). Not
    # CMAKE_INSTALL_LIBDIR: Debian's is lib/<triplet>, and systemd looks in lib/systemd/user.
    install(FILES "${_kevantel_installer_dir}/linux/kevan-tel.service"
            DESTINATION lib/systemd/user)
    install(FILES "${PROJECT_SOURCE_DIR}/README.md" "${_kevantel_installer_dir}/linux/copyright"
            DESTINATION share/doc/kevan-tel)
endif()

if(WIN32)
    include("${_kevantel_installer_dir}/windows/deploy.cmake")
endif()

# --- CPack: common ----------------------------------------------------------------------------
set(CPACK_VERBATIM_VARIABLES ON)
set(CPACK_PACKAGE_NAME kevan-tel)
set(CPACK_PACKAGE_VENDOR "kevan-tel developers")
set(CPACK_PACKAGE_CONTACT "kevan-tel developers")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "call screening for Telnyx phone numbers")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
    "kevan-tel screens the phone calls that arrive on Telnyx numbers. It receives Telnyx's signed "
    "Call Control webhooks on an embedded HTTP server, forwards callers registered to a namespace "
    "with a valid certificate (or on the allow list) to the owner's phone, rejects blocked "
    "callers, plays a message to everyone else, and records every step in a hash-chained event "
    "log. It runs as a desktop app with a tray icon and a live dashboard, or headless on a server.")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_PACKAGE_INSTALL_DIRECTORY kevan-tel)
set(CPACK_STRIP_FILES ON)
if(WIN32)
    set(CPACK_GENERATOR NSIS)
else()
    set(CPACK_GENERATOR DEB)
endif()

# --- CPack DEB ----------------------------------------------------------------------------------
set(CPACK_DEBIAN_PACKAGE_NAME kevan-tel)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "kevan-tel developers")
set(CPACK_DEBIAN_PACKAGE_SECTION comm)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Libraries the binary links: found by dpkg-shlibdeps (needs dpkg-dev and file).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# What dpkg-shlibdeps cannot see, because Qt loads it at run time: the QML modules the
# dashboard imports (they do not pull each other in), the style it uses (Basic, in
# qml6-module-qtquick-controls), the SQLite driver, the SVG icon and image plugins, and the
# platform plugins (xcb, offscreen).
set(_kevantel_runtime_depends
    qml6-module-qtqml
    qml6-module-qtqml-models
    qml6-module-qtqml-workerscript
    qml6-module-qtquick
    qml6-module-qtquick-controls
    qml6-module-qtquick-dialogs
    qml6-module-qtquick-layouts
    qml6-module-qtquick-templates
    qml6-module-qtquick-window
    # FileDialog's Qt Quick implementation (used where no native dialog exists) imports it.
    qml6-module-qt-labs-folderlistmodel
    libqt6sql6-sqlite
    libqt6svg6
    qt6-qpa-plugins
    # Voicemail playback: Qt Multimedia's GStreamer backend plays WAV with wavparse and the
    # PulseAudio sink (-good), playbin, audioconvert and the ALSA sink (-base).
    gstreamer1.0-plugins-good
    gstreamer1.0-plugins-base)
list(JOIN _kevantel_runtime_depends ", " CPACK_DEBIAN_PACKAGE_DEPENDS)
# The Wayland platform plugin: without it Qt falls back to XWayland.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS qt6-wayland)

# --- CPack NSIS (Windows) -----------------------------------------------------------------------
include("${_kevantel_installer_dir}/windows/nsis.cmake")

include(CPack)
