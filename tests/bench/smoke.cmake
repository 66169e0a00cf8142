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

# With a PostgreSQL server (KEVANTEL_TEST_PG_URL), the pipeline runs on it too and says how it
# compares.
if(DEFINED ENV{KEVANTEL_TEST_PG_URL} AND NOT "$ENV{KEVANTEL_TEST_PG_URL}" STREQUAL "")
    execute_process(COMMAND ${LOADGEN} --smoke --postgresql --only throughput --no-ceiling
                    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 240)
    message("${out}")
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "${LOADGEN} --smoke --postgresql failed (${rc}):\n${err}")
    endif()
    if(NOT out MATCHES "\\| webhooks, full pipeline \\(PostgreSQL, synchronous_commit=on\\)"
       OR NOT out MATCHES "\\| PostgreSQL / SQLite \\(FULL\\)")
        message(FATAL_ERROR "${LOADGEN} --smoke --postgresql printed no PostgreSQL rows:\n${out}")
    endif()
endif()

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
