# SPDX-License-Identifier: GPL-3.0-or-later
# bench_smoke: the benchmark programs run a tiny workload and print their table. No figure is
# checked: the machine running the tests says nothing about performance.
foreach(program LOADGEN HISTORYGEN)
    execute_process(COMMAND ${${program}} --smoke
                    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 240)
    message("${out}")
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "${${program}} --smoke failed (${rc}):\n${err}")
    endif()
    if(NOT out MATCHES "\\| benchmark \\| result \\| target \\| verdict \\|\n\\|---")
        message(FATAL_ERROR "${${program}} --smoke printed no table:\n${out}\n${err}")
    endif()
    string(REGEX MATCHALL "\n\\| [^\n]+" rows "${out}")
    list(LENGTH rows count)
    if(count LESS 3)
        message(FATAL_ERROR "${${program}} --smoke printed a table without rows:\n${out}")
    endif()
endforeach()

# kevantel-callerwait: one call a decision with the fake Telnyx 50 ms away; every decision must
# reach its outcome (exit 0) and have its row.
execute_process(COMMAND ${CALLERWAIT} --calls 1 --latencies 50
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 240)
message("${out}")
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${CALLERWAIT} failed (${rc}):\n${err}")
endif()
string(REGEX MATCHALL "\n\\| [^\n]+" rows "${out}")
list(LENGTH rows count)
if(count LESS 6)
    message(FATAL_ERROR "${CALLERWAIT} printed fewer than six decisions:\n${out}")
endif()
