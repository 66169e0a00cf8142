# SPDX-License-Identifier: GPL-3.0-or-later
# Windows: make `cmake --install` (and so `cpack -G NSIS`) produce a self-contained folder.
# Included from installer/packaging.cmake on WIN32 only. NOT BUILT OR TESTED IN CI (Linux only).
#
#   cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DKEVANTEL_BUILD_TESTS=OFF
#   cmake --build build --config Release
#   cmake --install build --config Release --prefix C:/kevan-tel-staging   # a folder to try
#   cd build && cpack -G NSIS -C Release                                    # the installer
#
# 1. windeployqt copies the Qt DLLs, the plugins (platforms, sqldrivers, imageformats, iconengines,
#    styles, tls) and the QML modules the files in qml/ import (found by scanning --qmldir).
# 2. file(GET_RUNTIME_DEPENDENCIES) copies the remaining non-system DLLs: OpenSSL's libcrypto,
#    libphonenumber and what it needs (protobuf, ICU, abseil), from their bin/ folders.
# 3. InstallRequiredSystemLibraries adds the MSVC runtime.

set(KEVANTEL_WINDEPLOYQT "" CACHE FILEPATH "windeployqt executable (found next to Qt when empty)")
if(NOT KEVANTEL_WINDEPLOYQT)
    if(TARGET Qt6::windeployqt)
        set(KEVANTEL_WINDEPLOYQT "$<TARGET_FILE:Qt6::windeployqt>")
    else()
        get_target_property(_kevantel_qmake Qt6::qmake IMPORTED_LOCATION)
        get_filename_component(_kevantel_qt_bin "${_kevantel_qmake}" DIRECTORY)
        find_program(KEVANTEL_WINDEPLOYQT_FOUND windeployqt HINTS "${_kevantel_qt_bin}" REQUIRED)
        set(KEVANTEL_WINDEPLOYQT "${KEVANTEL_WINDEPLOYQT_FOUND}")
    endif()
endif()

# Folders that hold the third-party DLLs: bin/ beside each import library's lib/.
set(_kevantel_dll_dirs "")
foreach(_lib IN ITEMS "${PHONENUMBER_LIBRARY}" "${OPENSSL_CRYPTO_LIBRARY}")
    if(_lib)
        get_filename_component(_dir "${_lib}" DIRECTORY)
        list(APPEND _kevantel_dll_dirs "${_dir}" "${_dir}/../bin")
    endif()
endforeach()
foreach(_prefix IN LISTS CMAKE_PREFIX_PATH)
    list(APPEND _kevantel_dll_dirs "${_prefix}/bin")
endforeach()
set(_kevantel_dll_dir_args "")
foreach(_dir IN LISTS _kevantel_dll_dirs)
    string(APPEND _kevantel_dll_dir_args " \"${_dir}\"")
endforeach()

install(CODE "
    set(_exe \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/bin/kevan-tel.exe\")
    message(STATUS \"windeployqt: \${_exe}\")
    execute_process(
        COMMAND \"${KEVANTEL_WINDEPLOYQT}\"
                --qmldir \"${PROJECT_SOURCE_DIR}/qml\"
                --no-translations --no-compiler-runtime --no-system-d3d-compiler
                \"\${_exe}\"
        RESULT_VARIABLE _result)
    if(NOT _result EQUAL 0)
        message(FATAL_ERROR \"windeployqt failed: \${_result}\")
    endif()
    file(GET_RUNTIME_DEPENDENCIES
        EXECUTABLES \"\${_exe}\"
        DIRECTORIES ${_kevantel_dll_dir_args}
        RESOLVED_DEPENDENCIES_VAR _resolved
        UNRESOLVED_DEPENDENCIES_VAR _unresolved
        PRE_EXCLUDE_REGEXES \"^api-ms-\" \"^ext-ms-\" \"^[Qq]t6\"
        POST_EXCLUDE_REGEXES \"[Ss]ystem32\" \"[Ss]ys[Ww][Oo][Ww]64\")
    foreach(_dll IN LISTS _resolved)
        file(INSTALL \"\${_dll}\" DESTINATION \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/bin\")
    endforeach()
    if(_unresolved)
        message(WARNING \"kevan-tel: DLLs not found (add their folder to CMAKE_PREFIX_PATH): \${_unresolved}\")
    endif()
")

install(FILES "${PROJECT_SOURCE_DIR}/LICENSE" DESTINATION . RENAME LICENSE.txt)

set(CMAKE_INSTALL_SYSTEM_RUNTIME_DESTINATION bin)
include(InstallRequiredSystemLibraries)
