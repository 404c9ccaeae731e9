# Unit tests: one program per tests/unit/test_<module>.c, TAP output.
set(RL_SHARED_DATA "${CMAKE_CURRENT_SOURCE_DIR}/../shared/data" CACHE PATH
    "Folder of large real data (../shared/data); tests on it skip when absent")
file(GLOB RL_UNIT_TESTS CONFIGURE_DEPENDS tests/unit/test_*.c)
foreach(src ${RL_UNIT_TESTS})
    get_filename_component(name ${src} NAME_WE)
    add_executable(${name} ${src})
    target_link_libraries(${name} PRIVATE rl_render rl_core)
    target_compile_definitions(${name} PRIVATE
        RL_TEST_DATA="${CMAKE_CURRENT_SOURCE_DIR}/tests/data"
        RL_SHARED_DATA="${RL_SHARED_DATA}")
    add_test(NAME unit.${name} COMMAND ${name})
    set_tests_properties(unit.${name} PROPERTIES LABELS unit
                         SKIP_RETURN_CODE 77)
endforeach()

# Command-line and tmux end-to-end tests: tests/cli/*.sh and tests/e2e/*.sh.
file(GLOB RL_CLI_TESTS CONFIGURE_DEPENDS tests/cli/test_*.sh)
foreach(t ${RL_CLI_TESTS})
    get_filename_component(name ${t} NAME_WE)
    add_test(NAME cli.${name} COMMAND bash ${t})
    set_tests_properties(cli.${name} PROPERTIES LABELS cli SKIP_RETURN_CODE 77
        ENVIRONMENT "RELABEL=$<TARGET_FILE:relabel>;RL_SRC=${CMAKE_CURRENT_SOURCE_DIR};RL_SHARED_DATA=${RL_SHARED_DATA}")
endforeach()
# The full ImageNet-ReaL runs: long under the sanitizers, where the small
# fixtures exercise the same code; .ci/run leaves them out of that pass.
foreach(t cli.test_real cli.test_eval_real)
    if(TEST ${t})
        set_tests_properties(${t} PROPERTIES LABELS "cli;large" TIMEOUT 300)
    endif()
endforeach()
# relabel-bench scale at 50,000 images, beside the sqlite3 shell (issue
# 16): minutes, once, in the plain tree.
if(TEST cli.test_bench_scale)
    set_tests_properties(cli.test_bench_scale PROPERTIES LABELS "cli;large"
                         TIMEOUT 1800)
endif()
file(GLOB RL_E2E_TESTS CONFIGURE_DEPENDS tests/e2e/test_*.sh)
foreach(t ${RL_E2E_TESTS})
    get_filename_component(name ${t} NAME_WE)
    add_test(NAME e2e.${name} COMMAND bash ${t})
    set_tests_properties(e2e.${name} PROPERTIES LABELS e2e SKIP_RETURN_CODE 77
        ENVIRONMENT "RELABEL=$<TARGET_FILE:relabel>;RL_SRC=${CMAKE_CURRENT_SOURCE_DIR};RL_SHARED_DATA=${RL_SHARED_DATA}")
endforeach()

# A real X terminal on Xvfb (about 40 s): once, in the plain tree.
# The pty picture test decodes PNG and sixel in pure Python (about 80 s).
foreach(t e2e.test_xterm_sixel e2e.test_pixels_pty)
    if(TEST ${t})
        set_tests_properties(${t} PROPERTIES LABELS "e2e;large" TIMEOUT 300)
    endif()
endforeach()
# Tests that start their own Xvfb never run at the same time: two
# `Xvfb -displayfd` starting together may race for one display number.
foreach(t e2e.test_xterm_sixel e2e.test_termxterm)
    if(TEST ${t})
        set_tests_properties(${t} PROPERTIES RESOURCE_LOCK xvfb)
    endif()
endforeach()
# The 50,000-image review queue (about 20 s): once, in the plain tree.
if(TEST e2e.test_queue_scale)
    set_tests_properties(e2e.test_queue_scale PROPERTIES
                         LABELS "e2e;large" TIMEOUT 300)
endif()
# Importing 400,000 predictions beside a reviewer: once, in the plain tree.
if(TEST e2e.test_import_while_reviewing)
    set_tests_properties(e2e.test_import_while_reviewing PROPERTIES
                         LABELS "e2e;large" TIMEOUT 300)
endif()

# Fuzz targets: corpus and regression replays (tests/fuzz/fuzz.cmake).
include(${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz/fuzz.cmake)

# The fault matrix (issue 14): kill -9, SIGXFSZ, disk full, read-only file
# and folder, FIFO image, damaged page, concurrent import. One ctest test,
# so .ci/run's summary counts it; its own output has a line per case.
add_test(NAME faults.matrix COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/tests/faults/run.sh)
set_tests_properties(faults.matrix PROPERTIES LABELS faults SKIP_RETURN_CODE 77
    TIMEOUT 300
    ENVIRONMENT "RELABEL=$<TARGET_FILE:relabel>;RL_SRC=${CMAKE_CURRENT_SOURCE_DIR}")
