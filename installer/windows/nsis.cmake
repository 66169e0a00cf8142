# SPDX-License-Identifier: GPL-3.0-or-later
# CPack NSIS options for the Windows installer (included from installer/packaging.cmake, which sets
# CPACK_VERBATIM_VARIABLES, so the NSIS text below reaches makensis unchanged).
# NOT BUILT OR TESTED IN CI: CI is Debian. See installer/windows/deploy.cmake for the build steps.
#
# The installer:
# - installs into "Program Files\kevan-tel" (bin\kevan-tel.exe with windeployqt's Qt runtime);
# - adds a Start menu shortcut and an uninstaller (Apps & features);
# - uninstalls an older version first;
# - asks whether kevan-tel should start at sign-in and, if so, writes the value "kevan-tel" under
#   HKCU\Software\Microsoft\Windows\CurrentVersion\Run: the same value the app's own autostart
#   switch (app/platform/autostart.cpp) reads and writes. A silent install (/S) leaves autostart off.
#   The uninstaller removes the value.
set(CPACK_NSIS_PACKAGE_NAME "kevan-tel")
set(CPACK_NSIS_DISPLAY_NAME "kevan-tel")
set(CPACK_NSIS_EXECUTABLES_DIRECTORY bin)
set(CPACK_PACKAGE_EXECUTABLES kevan-tel kevan-tel)
set(CPACK_NSIS_INSTALLED_ICON_NAME "bin\\kevan-tel.exe")
set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
set(CPACK_NSIS_MODIFY_PATH OFF)
set(CPACK_NSIS_MANIFEST_DPI_AWARE ON)
set(CPACK_NSIS_CONTACT "kevan-tel developers")
# The GPL is not an agreement to accept: no licence page (LICENSE.txt is installed beside bin\).
set(CPACK_NSIS_IGNORE_LICENSE_PAGE ON)

set(CPACK_NSIS_EXTRA_INSTALL_COMMANDS [=[
  MessageBox MB_YESNO|MB_ICONQUESTION "Start kevan-tel when you sign in to Windows?$\r$\n$\r$\nYou can change this later in kevan-tel." /SD IDNO IDNO kevantel_no_autostart
    WriteRegStr HKCU "Software\Microsoft\Windows\CurrentVersion\Run" "kevan-tel" '"$INSTDIR\bin\kevan-tel.exe"'
  kevantel_no_autostart:
]=])
set(CPACK_NSIS_EXTRA_UNINSTALL_COMMANDS [=[
  DeleteRegValue HKCU "Software\Microsoft\Windows\CurrentVersion\Run" "kevan-tel"
]=])
