# SPDX-License-Identifier: GPL-3.0-or-later
# Runs qmllint on the module's copies of the QML files (next to the generated qmldir and
# qmltypes, so the project's types and the Theme singleton resolve). Fails on a non-zero exit, on
# any message at all (qmllint must stay quiet), and when a source QML file has no copy to check.
file(GLOB sources RELATIVE "${SOURCE_DIR}" "${SOURCE_DIR}/*.qml")
list(SORT sources)
if(sources STREQUAL "")
    message(FATAL_ERROR "no QML files in ${SOURCE_DIR}")
endif()
set(files)
foreach(name IN LISTS sources)
    if(NOT EXISTS "${MODULE_DIR}/${name}")
        message(FATAL_ERROR "${name} is not in the QML module (qml/CMakeLists.txt): not checked")
    endif()
    list(APPEND files "${MODULE_DIR}/${name}")
endforeach()
execute_process(
    COMMAND "${QMLLINT}" -I "${IMPORT_DIR}" ${files}
    WORKING_DIRECTORY "${MODULE_DIR}"
    RESULT_VARIABLE rc
    OUTPUT_VARIABLE out
    ERROR_VARIABLE out)
list(LENGTH files count)
if(NOT rc EQUAL 0 OR NOT out STREQUAL "")
    message(FATAL_ERROR "qmllint (exit ${rc}) on ${count} files:\n${out}")
endif()
message(STATUS "qmllint: ${count} files, no warnings")
