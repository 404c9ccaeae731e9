/* fuzz.h - shared by the libFuzzer targets in tests/fuzz/ and by replay.c.
 *
 * Each fuzz_<name>.c defines LLVMFuzzerTestOneInput (and, when it needs
 * process-wide setup, LLVMFuzzerInitialize). Built with -DRL_FUZZ=ON they
 * link libFuzzer; in the normal build they link replay.c, which feeds them
 * the checked-in corpus and regressions under ctest. Invariants are
 * checked with FUZZ_CHECK, which aborts: assert() vanishes under NDEBUG. */
#ifndef RL_FUZZ_H
#define RL_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Prints "fuzz: FILE:LINE: what" and aborts when `cond` is false. */
#define FUZZ_CHECK(cond, ...)                                             \
    do {                                                                  \
        if (!(cond))                                                      \
            fuzz_fail(__FILE__, __LINE__, __VA_ARGS__);                   \
    } while (0)

_Noreturn void fuzz_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Strict UTF-8 check written apart from src/core/utf8.c, so a bug there
 * cannot hide itself: no overlongs, surrogates or code points past
 * U+10FFFF. Returns the byte length of the character at s[0..n), or 0 when
 * it is malformed. */
size_t fuzz_utf8_len(const unsigned char *s, size_t n, uint32_t *cp);
bool fuzz_utf8_valid(const char *s, size_t n);

/* True for what must never reach a terminal raw: C0, DEL, C1, bidi marks,
 * embeddings, overrides and isolates, invisible separators (the set
 * rl_utf8_is_unsafe documents). */
bool fuzz_unsafe_cp(uint32_t cp);

/* Aborts unless s[0..n) is valid UTF-8 free of unsafe code points and NUL
 * bytes; `what` names the string in the report. */
void fuzz_check_safe(const char *s, size_t n, const char *what);

#endif
