# fuzz.cmake - fuzz targets (tests/fuzz/fuzz_<name>.c), included from
# tests/tests.cmake.
#
# Every build gets fuzz_replay_<name>: the target linked with replay.c,
# which ctest runs over the checked-in corpus and regressions (so the
# sanitizer build checks every past finding), and under valgrind too in a
# plain build when valgrind is installed. With -DRL_FUZZ=ON (clang;
# see the top-level CMakeLists.txt) each target is also linked with
# libFuzzer as fuzz_<name>; tests/fuzz/run.sh builds and runs those.
set(RL_FUZZ_DIR ${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz)
set(RL_FUZZ_TARGETS csv import guide jpeg sanitize catalog termreply sixel)
find_program(RL_VALGRIND valgrind)

add_library(rl_fuzz_common STATIC ${RL_FUZZ_DIR}/fuzz.c)
target_include_directories(rl_fuzz_common PUBLIC ${RL_FUZZ_DIR})

foreach(t ${RL_FUZZ_TARGETS})
    set(src ${RL_FUZZ_DIR}/fuzz_${t}.c)
    set(exes fuzz_replay_${t})
    add_executable(fuzz_replay_${t} ${src} ${RL_FUZZ_DIR}/replay.c)
    if(RL_FUZZ)
        add_executable(fuzz_${t} ${src})
        target_link_options(fuzz_${t} PRIVATE -fsanitize=fuzzer)
        target_compile_definitions(fuzz_${t} PRIVATE RL_FUZZING=1)
        list(APPEND exes fuzz_${t})
    endif()
    foreach(e ${exes})
        target_link_libraries(${e} PRIVATE rl_fuzz_common rl_render rl_core)
        # fuzz_import reads the store's connection (src/core/internal.h)
        target_include_directories(${e} PRIVATE
                                   ${CMAKE_CURRENT_SOURCE_DIR}/src/core)
    endforeach()
    add_test(NAME fuzz.${t} COMMAND fuzz_replay_${t}
             ${RL_FUZZ_DIR}/corpus/${t} ${RL_FUZZ_DIR}/regressions/${t})
    set_tests_properties(fuzz.${t} PROPERTIES LABELS fuzz)
    # md4c, libjpeg-turbo and chafa are not instrumented: valgrind sees
    # their reads past a buffer, which ASan cannot (needs a plain build).
    if(RL_VALGRIND AND NOT RL_SANITIZE AND NOT RL_FUZZ)
        add_test(NAME fuzz.${t}.valgrind
                 COMMAND ${RL_VALGRIND} -q --error-exitcode=1
                 --leak-check=full --errors-for-leak-kinds=definite
                 $<TARGET_FILE:fuzz_replay_${t}>
                 ${RL_FUZZ_DIR}/corpus/${t} ${RL_FUZZ_DIR}/regressions/${t})
        set_tests_properties(fuzz.${t}.valgrind PROPERTIES LABELS fuzz)
    endif()
endforeach()

if(RL_FUZZ)
    set(fuzzers ${RL_FUZZ_TARGETS})
    list(TRANSFORM fuzzers PREPEND fuzz_)
    add_custom_target(fuzzers DEPENDS ${fuzzers})
endif()
