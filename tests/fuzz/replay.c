/* replay.c - runs a fuzz target's LLVMFuzzerTestOneInput over files, for
 * ctest in builds without libFuzzer (gcc, with or without sanitizers).
 *
 * Usage: fuzz_replay_NAME PATH...   Each PATH is a file, or a folder whose
 * files (not starting with '.', not recursing, in name order) are run.
 * A missing folder is skipped, so an empty regressions/ set needs no
 * placeholder. Exits 0 when every input ran; a finding aborts, as under
 * libFuzzer. */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Defined only by targets that need process-wide setup. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int
run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL;
    size_t len = 0, cap = 0, k;

    if (f == NULL) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    for (;;) {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 65536;
            if ((data = realloc(data, cap)) == NULL)
                abort();
        }
        if ((k = fread(data + len, 1, cap - len, f)) == 0)
            break;
        len += k;
    }
    fclose(f);
    /* an exact-size copy, so ASan sees reads past the end */
    {
        unsigned char *exact = malloc(len ? len : 1);

        if (exact == NULL)
            abort();
        memcpy(exact, data, len);
        free(data);
        LLVMFuzzerTestOneInput(exact, len);
        free(exact);
    }
    return 0;
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
run_dir(const char *dir, long *count)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, i;
    int rc = 0;

    if (d == NULL) {
        fprintf(stderr, "%s: %s\n", dir, strerror(errno));
        return -1;
    }
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if ((names = realloc(names, (n + 1) * sizeof *names)) == NULL
            || (names[n] = malloc(strlen(dir) + strlen(de->d_name) + 2))
                   == NULL)
            abort();
        sprintf(names[n++], "%s/%s", dir, de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    for (i = 0; i < n; i++) {
        struct stat st;

        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            if (run_file(names[i]) != 0)
                rc = -1;
            else
                (*count)++;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int
main(int argc, char **argv)
{
    long count = 0;
    int rc = 0;

    if (LLVMFuzzerInitialize != NULL)
        LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        struct stat st;

        if (stat(argv[i], &st) != 0) {
            if (errno == ENOENT)
                continue;
            fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
            rc = 1;
        } else if (S_ISDIR(st.st_mode)) {
            if (run_dir(argv[i], &count) != 0)
                rc = 1;
        } else if (run_file(argv[i]) != 0) {
            rc = 1;
        } else {
            count++;
        }
    }
    printf("%s: %ld inputs ran\n", argv[0], count);
    if (count == 0) {
        fprintf(stderr, "%s: no inputs\n", argv[0]);
        rc = 1;
    }
    return rc;
}
